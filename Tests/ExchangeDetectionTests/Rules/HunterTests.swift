@testable import ExchangeDetection
import ExchangeEvidence
import Testing

@Suite struct HunterTests {
    @Test func parallelHuntEqualsRunningEachRuleAlone() throws {
        let store = try RuleFixtures.store("proxylogon", "iis", "hostlogs", "files")
        let all = Hunter().run(on: store).findings
        var one: [Finding] = []
        var byRule: [String: [Finding]] = [:]
        for r in RuleRegistry.standard where r.dependsOn.isEmpty {
            byRule[r.id] = r.run(on: store)
        }
        for r in RuleRegistry.standard {
            one += r.dependsOn.isEmpty ? byRule[r.id]! : r.run(on: store, prior: r.dependsOn.flatMap { byRule[$0] ?? [] })
        }
        #expect(all == one)
        #expect(Set(all.map(\.rule)).count >= 20)
    }

    @Test func selectingAChainRunsItsDependenciesButReportsOnlyIt() throws {
        let store = try RuleFixtures.store("proxylogon")
        let r = Hunter().run(on: store, only: ["chain.proxylogon"])
        #expect(r.findings.map(\.rule) == ["chain.proxylogon"])
    }

    @Test func ruleIDsAreUniqueAndDocumented() {
        let ids = RuleRegistry.standard.map(\.id)
        #expect(Set(ids).count == ids.count)
        for r in RuleRegistry.standard {
            #expect(!r.title.isEmpty && !r.help.isEmpty && !r.sources.isEmpty, "\(r.id)")
            #expect(r.id.split(separator: ".").count == 2, "\(r.id)")
        }
    }

    @Test func coverageIsPerServerKindAndChannel() throws {
        let store = try RuleFixtures.store("proxylogon")
        let c = LogCoverage.compute(store)
        let ecp = try #require(c.first { $0.kind == .httpProxy && $0.channel == "Ecp" })
        #expect(ecp.server == "EX01" && ecp.files == 1 && ecp.events == 8)
        #expect(ecp.first == Timestamp.parse("2021-03-03T06:49:42.162Z"))
        #expect(ecp.last == Timestamp.parse("2021-03-03T07:20:01.000Z"))
        #expect(LogCoverage.noHitsNote(server: "EX01", coverage: c).hasPrefix("no hits, but ecp-server logs only reach back to 2021-03-03"))
        #expect(LogCoverage.noHitsNote(server: "EX09", coverage: c) == "no hits, and no dated logs for this server")
    }
}

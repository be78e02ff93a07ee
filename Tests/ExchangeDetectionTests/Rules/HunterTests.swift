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
        // The same findings; each rule's together and in its own order (the largest rule's come first).
        #expect(all.count == one.count)
        let rules = Set(one.map(\.rule))
        for r in rules { #expect(all.filter { $0.rule == r } == one.filter { $0.rule == r }) }
        let runs = zip(all, all.dropFirst()).filter { $0.rule != $1.rule }.count + 1
        #expect(runs == rules.count)
        #expect(rules.count >= 20)
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
    }

    @Test func huntOrderPutsTheMostSevereFirstPerServer() {
        func f(_ rule: String, _ server: String, _ severity: Severity, _ time: Int64) -> Finding {
            Finding(rule: rule, title: rule, cves: [], severity: severity, server: server, time: time, events: [], file: "", line: 0, summary: "")
        }
        let ordered = Hunter.byServerSeverity([f("probe", "EX01", .low, 9), f("chain", "EX01", .critical, 5), f("ssrf", "EX01", .high, 1),
                                               f("ssrf2", "EX01", .high, 0), f("probe", "EX00", .low, 3)])
        #expect(ordered.map(\.rule) == ["probe", "chain", "ssrf2", "ssrf", "probe"])
        #expect(ordered.map(\.server) == ["EX00", "EX01", "EX01", "EX01", "EX01"])
    }
}

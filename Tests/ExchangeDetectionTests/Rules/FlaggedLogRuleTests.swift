@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Test-ProxyLogon's `-Cve-2021-27065.log` and `-Cve-2021-26858.log` hold only the paths of the logs its checks
/// flagged (reference §1.3, §1.4(a)): `Fixtures/test-proxylogon-flagged` has EX01's two lists alone, EX02's empty and
/// blank lists, EX03's OAB list beside the run's download paths; `test-proxylogon-flagged-loaded` has EX04's ECP list
/// beside the flagged ECP Server log itself (reviewer: the 27065 list gave no finding, the server "not enough coverage").
@Suite struct FlaggedLogRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("test-proxylogon-flagged") }

    @Test func aFlaggedECPLogIsAHighSecondHandFinding() throws {
        let f = RuleFixtures.run("proxylogon.flagged-ecp-log", on: store)
        #expect(f.map(\.server) == ["EX01"])
        let one = try #require(f.first)
        #expect(one.severity == .high && one.cves == ["CVE-2021-27065"])
        #expect(one.file == "EX01-Cve-2021-27065.log" && one.line == 1)
        #expect(one.summary.hasPrefix(#"Test-ProxyLogon flagged ECP log file C:\Program Files\Microsoft\Exchange Server\V15\Logging\ECP\Server\ECPServer20210303-1.LOG: "#))
        #expect(one.summary.contains("second-hand") && one.summary.hasSuffix("the log itself is not loaded — load it to see the request"))
    }

    @Test func aFlaggedOABLogFiresOnlyWhereNoDownloadPathTellsMore() throws {
        let f = RuleFixtures.run("proxylogon.flagged-oab-log", on: store)
        #expect(f.map(\.server) == ["EX01"], "EX03's download paths give proxylogon.oab-download's finding: not reported twice")
        #expect(f.first?.cves == ["CVE-2021-26858"] && f.first?.severity == .high)
        #expect(f.first?.summary.contains(#"OABGeneratorLog\OABGenerator_20210303-1.LOG: a download path outside the OAB folder"#) == true)
        #expect(RuleFixtures.run("proxylogon.oab-download", on: store).map(\.server) == ["EX03"])
    }

    /// Near misses: an empty list and one of blank lines name no log.
    @Test func listsNamingNoLogDoNotFire() {
        let all = Hunter().run(on: store, only: ["proxylogon.flagged-ecp-log", "proxylogon.flagged-oab-log"]).findings
        #expect(!all.contains { $0.server != "EX01" }, "\(all.map(\.server))")
    }

    /// The flagged ECP log loaded too: the direct rule quotes the line, and the list's finding is folded into it.
    @Test func theFlaggedLogLoadedGivesTheDirectFindingOnly() throws {
        let s = try RuleFixtures.store("test-proxylogon-flagged-loaded")
        #expect(RuleFixtures.run("proxylogon.ecp-set-vdir", on: s).map(\.server) == ["EX04"])
        #expect(RuleFixtures.run("proxylogon.flagged-ecp-log", on: s).isEmpty)
        #expect(FlaggedECPLogRule().run(on: s).isEmpty, "run alone, it finds the direct rule's findings itself")
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Microsoft's Test-AMSI probe is an administrator's check, not an SSRF: info, and no chain; the exploit's own
/// rows (a stem not of the probe's form, or the probe's stem aimed elsewhere) stay `proxylogon.ssrf`'s.
@Suite struct TestAMSIProbeRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("test-amsi") }

    @Test func theProbeIsInfoWithWhatItsStatusMeans() throws {
        let f = RuleFixtures.run("proxylogon.test-amsi-probe", on: store)
        let probe = try #require(f.first)
        #expect(f.count == 2 && probe.severity == .info && probe.events.count == 1 && probe.line == 6)
        // The same probe from PowerShell 7 (its own user agent) is the probe too (reviewer: it was a HIGH SSRF).
        #expect(f[1].line == 10 && f[1].summary.contains("PowerShell/7.1.3"), "\(f.map(\.summary))")
        #expect(probe.summary.contains("1 Test-AMSI probe from 10.0.0.50: /ecp/Test-qwhzkrtbam.js"), "\(probe.summary)")
        #expect(probe.summary.contains("status 400 (AMSI blocked it") && probe.summary.contains("WindowsPowerShell/5.1"))
    }

    @Test func nearMissesStaySSRF() {
        let ssrf = RuleFixtures.run("proxylogon.ssrf", on: store)
        // Row 9 has the probe's name, but a session was handed out (241) to python-requests: the exploit's step.
        #expect(ssrf.flatMap(\.events).map { store.line(of: $0) }.sorted() == [7, 8, 9], "not the probe's row 6")
        #expect(RuleFixtures.run("chain.proxylogon", on: store).allSatisfy { !$0.events.contains { store.line(of: $0) == 6 } })
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// ProxyShell on a server the day's scanners also reached (`Fixtures/proxyshell-scan`): the attacker is the client
/// whose requests came before the export and used the shell; SSRF from other clients after the export is named
/// apart; the export step is placed at `New-MailboxExportRequest`, not at the role grant before it (reviewer).
@Suite struct ProxyShellScanTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("proxyshell-scan") }

    @Test func theExportIsPlacedAtTheExportRequest() throws {
        let export = try #require(RuleFixtures.run("exchange.mailbox-export-web", on: store).first)
        #expect(export.time == Timestamp.parse("2021-08-13T05:47:00Z"))
        #expect(export.events.count == 3, "the role grant and the clean-up stay its context")
    }

    @Test func laterScannersAreNotTheAttacker() throws {
        let chain = try #require(RuleFixtures.run("chain.proxyshell", on: store).first)
        #expect(chain.summary.contains("mailbox export to a web folder 2021-08-13 05:47:00 (exchange.mailbox-export-web)"), "\(chain.summary)")
        #expect(chain.summary.hasSuffix("attacker IPs: 45.77.1.2; exploit requests after the exploit had worked, from other clients: 45.77.9.9, 45.77.9.10"))
    }
}

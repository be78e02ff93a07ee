@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Field-aware `grep-ioc` (no `--raw`) in the Exchange cmdlet log's `CmdletParameters`: the forwarding address
/// of the real `Set-Mailbox` record and the UNC address of a ProxyShell mailbox export, without their near misses.
@Suite struct IOCCmdletParametersTests {
    func ind(_ type: IndicatorType, _ value: String) -> Indicator {
        try! IndicatorNormalizer.make(type, value, set: "test", source: "test").get()
    }

    func hits(_ indicators: [Indicator], in store: EventStore) -> [String] {
        let m = IOCMatcher(indicators: indicators)
        return m.match(store).map { "\(m.indicators[$0.indicator].value) \($0.fields.joined(separator: ",")) line \($0.line)" }.sorted()
    }

    /// `-ForwardingSmtpAddress "smtp:test2@example.com"`: the domain of the e-mail address is found, its
    /// subdomain too; a name it merely ends with or starts with is not.
    @Test func forwardingAddressDomainInTheRealSetMailboxRecord() throws {
        guard let s = try RuleFixtures.evtxStore("exchange-management-set-mailbox-forwarding-wec.evtx") else { return }
        let found = hits([ind(.domain, "example.com"), ind(.domain, "ample.com"), ind(.domain, "example.co"),
                          ind(.domain, "mail.example.com")], in: s)
        #expect(found == ["example.com CmdletParameters line 1"])
    }

    /// `New-MailboxExportRequest -FilePath "\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\xhkgd.aspx"`: the
    /// address and the file name; a longer address and another name are not.
    @Test func exportPathAddressAndNameInAMailboxExport() throws {
        let s = try RuleFixtures.store("proxyshell/EX03/eventlogs/msexchange-management.xml")
        let found = hits([ind(.ip, "127.0.0.1"), ind(.ip, "27.0.0.1"), ind(.ip, "127.0.0.10"), ind(.name, "xhkgd.aspx"),
                          ind(.name, "gd.aspx")], in: s)
        #expect(found == ["127.0.0.1 CmdletParameters line 2", "xhkgd.aspx CmdletParameters line 2"])
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// The cmdlets Exchange records in its own logs, read like the `MSExchange Management` event log's
/// (`Fixtures/cmdlet-logs`): EX60's Rps_Cmdlet log and EX61's ECP Server log each hold ProxyShell's mailbox export to
/// `aspnet_client\xhkgd.aspx` (reviewer: both gave no findings) and, three days later, an administrator's export of
/// alice's mailbox to the PST share, the near miss.
@Suite struct CmdletLogsTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("cmdlet-logs") }

    @Test func theRpsCmdletLogsExportIsFoundWithItsRoleGrantAndCleanUp() {
        let f = RuleFixtures.run("exchange.mailbox-export-web", on: store).filter { $0.server == "EX60" }
        #expect(f.count == 1)
        #expect(f.first?.summary == "New-MailboxExportRequest of 'administrator@contoso.com' to "
                + "'\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xhkgd.aspx' by administrator@contoso.com via w3wp; "
                + "with 2 related cmdlets (role grant, clean-up)", "\(f.first?.summary ?? "")")
        #expect(f.first?.severity == .critical)
        #expect(f.first?.file.hasSuffix("Rps_Cmdlet_2021081303-1.LOG") == true && f.first?.line == 7)
    }

    @Test func theECPServerLogsExportIsFound() {
        let f = RuleFixtures.run("exchange.mailbox-export-web", on: store).filter { $0.server == "EX61" }
        #expect(f.count == 1)
        #expect(f.first?.summary == "New-MailboxExportRequest of 'administrator@contoso.com' to "
                + "'\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xhkgd.aspx'", "\(f.first?.summary ?? "")")
        #expect(f.first?.file.hasSuffix("ECPServer20210813-1.LOG") == true && f.first?.line == 6)
    }

    /// The export to `\\fileserver\pst$\alice.pst`, in either log, is an administrator's: no finding.
    @Test func anExportToThePSTShareIsNoFinding() {
        let f = RuleFixtures.run("exchange.mailbox-export-web", on: store)
        #expect(f.count == 2)
        #expect(!f.contains { $0.summary.contains("alice") })
    }

    @Test func theECPCommandIsReadInTheCmdletLogsForm() {
        let line = "S:TIME=13;S:CMD=New-MailboxExportRequest.Mailbox='a@contoso.com'.FilePath='\\\\127.0.0.1\\c$\\x.aspx';S:REQID="
        #expect(ECPCommandText.cmdlet(inEventData: line).map { [$0.0, $0.1] }
                == ["New-MailboxExportRequest", "-Mailbox \"a@contoso.com\" -FilePath \"\\\\127.0.0.1\\c$\\x.aspx\""])
        #expect(ECPCommandText.cmdlet(inEventData: "S:CMD=Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null;;S:EX=").map { [$0.0, $0.1] }
                == ["Get-OabVirtualDirectory", "-ADPropertiesOnly $true -Identity $null"])
        #expect(ECPCommandText.cmdlet(inEventData: "S:TIME=1;S:CMD=Get-InboxRule;S:REQID=").map { [$0.0, $0.1] } == ["Get-InboxRule", ""])
        #expect(ECPCommandText.cmdlet(inEventData: "S:TIME=1;S:REQID=") == nil)
    }

    /// The cmdlet rules need a log that records cmdlets: the Rps_Cmdlet log counts, an ECP log counts.
    @Test func theCmdletRulesCouldRunOnEitherLog() {
        let coverage = RuleCoverage.of(store)
        for server in ["EX60", "EX61"] {
            #expect(coverage.couldRun("exchange.mailbox-export-web", on: server))
            #expect(coverage.couldRun("exchange.transport-agent", on: server))
        }
    }
}

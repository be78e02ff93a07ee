@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// ProxyShell, ProxyNotShell, OWASSRF and ProxyToken on real-format IIS W3C and HttpProxy lines and cmdlet-log
/// records (`Fixtures/proxyshell`): EX03 holds a ProxyShell intrusion (Aug 2021), EX04 ProxyNotShell (Sep 2022),
/// OWASSRF (Dec 2022) and ProxyToken (Aug 2021); each beside the near miss that must not fire.
@Suite struct ProxyShellRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("proxyshell") }

    @Test func proxyShellSSRFFiresOnPathConfusionNotOnOutlookMobile() {
        let f = RuleFixtures.run("proxyshell.ssrf", on: store)
        #expect(f.count == 1)
        let s = f.first?.summary ?? ""
        #expect(f.first?.server == "EX03")
        #expect(s.contains("/mapi/nspi/") && s.contains("from 45.91.83.140, unauthenticated"))
        // The IIS and HttpProxy lines of the two requests; the Outlook-iOS lookups (Email=alice%40…, /v1.0/alice@…) are not in it.
        #expect(f.first?.events.count == 4)
        #expect(!f.flatMap(\.events).contains { store.value(.clientIP, $0) == "203.0.113.50" })
        #expect(f.first?.severity == .high)
    }

    @Test func xRpsCatIsTheProxyShellPowerShellStep() {
        let f = RuleFixtures.run("proxyshell.powershell", on: store)
        #expect(f.count == 1)
        #expect(f.first?.severity == .critical)
        #expect(f.first?.cves == ["CVE-2021-34473", "CVE-2021-34523"])
        #expect(f.first?.summary.contains("X-Rps-CAT=VgEAVAdXaW5kb3dz") == true)
        // An administrator's own remote PowerShell (10.0.0.50, no token) is not in it.
        #expect(!f.flatMap(\.events).contains { store.value(.clientIP, $0) == "10.0.0.50" })
    }

    @Test func proxyNotShellNeedsAnAuthenticatedUserAndPowerShell() {
        let f = RuleFixtures.run("proxynotshell.ssrf", on: store)
        #expect(f.count == 1)
        #expect(f.first?.server == "EX04")
        #expect(f.first?.summary.contains("as contoso\\alice") == true)
        // The two POSTs and the /owa/?&Email=autodiscover/autodiscover.json%3F@…&FooProtocol=Powershell variant.
        #expect(f.first?.events.count == 3)
        #expect(f.first?.summary.contains("GET") == true)
    }

    @Test func owassrfFiresOnOWAPowerShellNotOnSharedMailboxOrBackEndPowerShell() {
        let f = RuleFixtures.run("owassrf.powershell", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.hasPrefix("POST /owa/mastermailbox%40outlook.com/powershell from 45.76.141.84") == true)
    }

    @Test func proxyTokenFiresUnauthenticatedNotForTheAdministrator() {
        let f = Hunter.byTime(RuleFixtures.run("proxytoken.ecp", on: store))
        #expect(f.count == 2)
        #expect(f.first?.summary.contains("mailbox victim@contoso.com; unauthenticated") == true)
        #expect(f.first?.cves == ["CVE-2021-33766"])
        // Next day, a site logging cookies: the SecurityToken cookie itself; the administrator's cookies are not it.
        #expect(f.last?.summary.contains("SecurityToken= in 1 logged request") == true)
        #expect(f.last?.events.count == 1)
    }

    @Test func mailboxExportIntoAWebFolderFiresWithRoleGrantAndCleanUpNotForThePSTShare() {
        let f = RuleFixtures.run("exchange.mailbox-export-web", on: store)
        #expect(f.count == 1)
        let s = f.first?.summary ?? ""
        #expect(s.contains("to '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xhkgd.aspx'"))
        #expect(s.contains("with 2 related cmdlets"))
        #expect(f.first?.events.count == 3)
        #expect(MailboxExportToWebRule.webTarget("-Mailbox \"a\" -FilePath \"\\\\fs01\\pst$\\a.pst\"") == nil)
    }

    @Test func pstWrittenAsAspxIsFoundInTheCopyAndInSysmon() {
        let f = RuleFixtures.run("webshell.mailbox-export-file", on: store)
        #expect(f.count == 2)
        #expect(f.contains { $0.summary.contains("a PST file (starts with '!BDN'") })
        #expect(f.contains { $0.summary == "MSExchangeMailboxReplication.exe created 'C:\\inetpub\\wwwroot\\aspnet_client\\xhkgd.aspx' (Sysmon 11)" })
        // The standard errorFE.aspx and the .pst on the share are not.
        #expect(!f.contains { $0.file.contains("errorFE") || $0.summary.contains("alice-2021-08.pst") })
    }

    @Test func explicitLogonClassifier() {
        // The published shapes and the legitimate ones.
        #expect(ExplicitLogonRequest.backEndPaths.contains("/mapi"))
        let ids = ExplicitLogonRequest.all(store)
        #expect(ids.contains { $0.target.hasPrefix("/mapi/nspi") })
        #expect(!ids.contains { store.value(.userAgent, $0.id).hasPrefix("Outlook-iOS") })
    }

    /// The byte prefilter: Outlook's lookups of the stem `/autodiscover/autodiscover.json` itself do not pass (they
    /// are most autodiscover traffic, and each that passed had its query split and decoded); a query starting with
    /// `@`, or carrying the `Email=autodiscover/autodiscover.json` value in any encoding, does.
    @Test func onlyPathConfusedLinesPassThePrefilter() {
        func passes(_ line: String) -> Bool {
            var l = line
            return l.withUTF8 { ExplicitLogonRequest.plausible(UnsafeRawBufferPointer($0)) }
        }
        #expect(!passes("2021-08-09 10:00:00 10.0.0.5 GET /autodiscover/autodiscover.json Email=alice%40contoso.com&Protocol=ActiveSync 443 - 10.1.1.5 Outlook-iOS/2.0 - 200 0 0 15"))
        #expect(!passes("2021-08-09T10:00:00.000Z,x,15,1,2176,2,,Autodiscover,mail.contoso.com,/autodiscover/autodiscover.json,?Email=alice%40contoso.com&Protocol=Rest,"))
        #expect(passes("2021-08-09 10:00:00 10.0.0.5 GET /autodiscover/autodiscover.json @evil.com/mapi/nspi/ 443 - 203.0.113.9 python - 200 0 0 15"))
        #expect(passes("2021-08-09T10:00:00.000Z,x,15,1,2176,2,,Autodiscover,mail.contoso.com,/autodiscover/autodiscover.json,?@evil.com/mapi/nspi/,"))
        // HttpProxy writes the query as column 66, far from the stem (reviewer's repro: the bare probe was missed).
        let columns = (0..<60).map { _ in "x" }.joined(separator: ",")
        #expect(passes("2021-08-09T10:00:00.000Z,x,,Autodiscover,mail.contoso.com,/autodiscover/autodiscover.json,,Basic,true,,,Smtp~a@contoso.com,\(columns),?@evil.com/mapi/nspi,x"))
        #expect(passes("2021-08-09T10:00:00.000Z,x,,Autodiscover,mail.contoso.com,/autodiscover/autodiscover.json,\(columns),?%40evil.com%2Fmapi%2Fnspi,x"))
        #expect(!passes("2021-08-09T10:00:00.000Z,x,,Autodiscover,mail.contoso.com,/autodiscover/autodiscover.json,,Basic,true,contoso\\a,,Smtp~a@contoso.com,\(columns),?Email=a%40contoso.com&Protocol=Rest,x"))
        #expect(passes("GET /autodiscover/autodiscover.json %40evil.com/powershell 443"))
        #expect(passes("GET /owa/ &Email=autodiscover/autodiscover.json?a..foo.var&Protocol=XYZ 443"))
        #expect(passes("GET /owa/ &Email%3Dautodiscover%2Fautodiscover.json%253F%40evil.com 443"))
        #expect(!passes("GET /owa/ &Path=/autodiscover/autodiscover.json 443"), "the stem named in another value, not the Email marker")
    }

    /// The variants written to slip past Microsoft's URL-rewrite mitigation (`.*autodiscover\.json.*\@.*Powershell.*`):
    /// no `@` at all (`a..foo.var`), `%50owershell`, a double-encoded `%253F%40`. Each is found by the rule its
    /// authentication decides; Outlook's own autodiscover.json lookups (`Fixtures/proxynotshell-bypass`) are not.
    @Test func mitigationBypassVariantsAreFoundNotOutlooksLookups() throws {
        let store = try RuleFixtures.store("proxynotshell-bypass")
        let notShell = RuleFixtures.run("proxynotshell.ssrf", on: store)
        #expect(notShell.flatMap(\.events).map { store.lineNumber[$0] }.sorted() == [5, 6, 7, 8])
        #expect(notShell.first?.summary.contains("as contoso\\alice") == true)
        let shell = RuleFixtures.run("proxyshell.ssrf", on: store)
        #expect(shell.flatMap(\.events).map { store.lineNumber[$0] }.sorted() == [9, 10])
        let fired = Set((notShell + shell).flatMap(\.events))
        #expect(!fired.contains { store.value(.clientIP, $0).hasPrefix("192.0.2.") })
        #expect(ExplicitLogonRequest.all(store).count == 6)
    }
}

/// The cmdlet log as exports keep it without named values: NXLog's and OTRF's rendered `Message` only, and a
/// SIEM's `param1…param5` (fewer values than the cmdlet log's template names).
@Suite struct CmdletShapesTests {
    let store: EventStore

    init() throws { store = try RuleFixtures.store("cmdlet-shapes") }

    @Test func mailboxExportToAWebFolderIsFoundInEveryShape() {
        let f = RuleFixtures.run("exchange.mailbox-export-web", on: store)
        #expect(f.map(\.server).sorted() == ["EX50", "EX52", "EX53"])
        // A failed export wrote nothing: an attempt, not a critical web shell.
        let failed = f.first { $0.server == "EX53" }
        #expect(failed?.severity == .medium && failed?.summary.contains("; failed") == true && failed?.summary.contains("an attempt") == true)
        #expect(failed?.summary.contains("failed: Couldn't find the mailbox; no file was written") == true, "\(failed?.summary ?? "")")
        #expect(failed?.summary.contains("y.aspx\". Error") == false)
        // EX54's mailbox name holds '-FilePath …x.aspx' inside its quotes; the real -FilePath is a PST on a share.
        let nxlog = f.first { $0.server == "EX50" }
        #expect(nxlog?.summary == "New-MailboxExportRequest of 'administrator@contoso.local' to "
                + "'\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xhkgd.aspx'; with 1 related cmdlet (role grant, clean-up)")
        // The export of alice's mailbox to a file share three days later is not a web shell.
        #expect(!f.contains { $0.summary.contains("alice") })
        #expect(f.first { $0.server == "EX52" }?.summary.contains("xhkgd.aspx") == true)
    }

    /// A refused `Set-OabVirtualDirectory` (event 6, message only) is an attempt: its URL without the error after
    /// it, and the error said; the same change that succeeded stays high; a plain URL is no finding.
    @Test func aRefusedVirtualDirectoryChangeIsAnAttempt() {
        let f = RuleFixtures.run("exchange.cmdlet-vdir-script", on: store).filter { $0.server == "EX55" }
        #expect(f.count == 2)
        let refused = f.first { $0.severity == .medium }
        #expect(refused?.summary == "Set-OabVirtualDirectory -ExternalUrl 'http://f/<script>alert(1)</script>'; failed: Access denied; "
                + "the change was refused, an attempt", "\(refused?.summary ?? "")")
        #expect(f.contains { $0.severity == .high && $0.summary.contains("Page_Load") && !$0.summary.contains("failed") })
    }

    @Test func parametersAreReadOutsideQuotes() {
        let text = "-Mailbox \"a -FilePath c:\\inetpub\\x.aspx\" -FilePath:'\\\\fs01\\pst$\\a.pst' -IncludeFolders #Drafts#"
        #expect(MailboxExportToWebRule.parameter("filepath", in: text) == "\\\\fs01\\pst$\\a.pst")
        #expect(MailboxExportToWebRule.parameter("includefolders", in: text) == "#Drafts#")
        #expect(MailboxExportToWebRule.parameter("mailbox", in: text) == "a -FilePath c:\\inetpub\\x.aspx")
        #expect(MailboxExportToWebRule.parameter("file", in: text) == nil)
    }

    @Test func theMessageIsReadAsEventViewerWritesIt() {
        #expect(CmdletEvent.fromMessage("Cmdlet suceeded. Cmdlet Set-OabVirtualDirectory, parameters -Identity \"OAB (Default Web Site)\".")
                    .map { [$0.0, $0.1] } == ["Set-OabVirtualDirectory", "-Identity \"OAB (Default Web Site)\""])
        #expect(CmdletEvent.fromMessage("Cmdlet failed. Cmdlet Get-Mailbox, parameters -Identity x.\nError: not found.")
                    .map { [$0.0, $0.1] } == ["Get-Mailbox", "-Identity x"])
        // Joined on one line by an export: the error is not part of the parameters, and is read as the error.
        let joined = "Cmdlet failed. Cmdlet Install-TransportAgent, parameters -Name \"x. y\" -AssemblyPath c:\\a.dll. Error: access denied."
        #expect(CmdletEvent.fromMessage(joined).map { [$0.0, $0.1] } == ["Install-TransportAgent", "-Name \"x. y\" -AssemblyPath c:\\a.dll"])
        #expect(CmdletEvent.errorFromMessage(joined) == "access denied.")
        #expect(CmdletEvent.errorFromMessage("Cmdlet suceeded. Cmdlet Get-Mailbox, parameters -Identity \"x. Error: y\".") == nil)
        #expect(CmdletEvent.fromMessage("The cmdlet did something. Cmdlet was run, parameters none.") == nil)
    }
}

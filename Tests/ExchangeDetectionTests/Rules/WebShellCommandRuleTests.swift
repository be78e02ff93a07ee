@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// A web shell driven by GET, outside the folders `iis.webshell-access` watches: m365internals' real IIS line,
/// beside OWA and ECP requests whose queries name no command.
@Suite struct WebShellCommandRuleTests {
    static let header = "#Software: Microsoft Internet Information Services 10.0\r\n"
        + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
    static let shell = "2022-10-06 18:51:06 10.0.0.11 GET /aspnet_netclient/4_0_30319/devilzShell.aspx dir=C%3A%5C&cmd=dsquery+*+-filter+%22%28adminCount%3D1%29%22&btnCommand=Execute 443 - 20.106.209.84 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/106.0.0.0+Safari/537.36+Edg/106.0.1370.34 https://20.62.174.61/aspnet_netclient/4_0_30319/devilzShell.aspx?dir=C%3A%5C&cmd=nltest+%2Fdomain_trusts+%2Fall_trusts&btnCommand=Execute 200 0 0 432\r\n"
    static let nearMisses = [
        "2022-10-06 18:40:01 10.0.0.11 GET /owa/auth/logon.aspx replaceCurrent=1&url=https%3a%2f%2fmail.contoso.net%2fowa%2f&CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-de56f5c1d9ee; 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 15\r\n",
        "2022-10-06 18:40:02 10.0.0.11 GET /ecp/PersonalSettings/HomePage.aspx showhelp=false&msExchEcpCanary=Zx9aQ2b0Rk2-net-user&cmd=contents 443 CONTOSO\\ana 203.0.113.50 Mozilla/5.0 - 200 0 0 20\r\n",
        "2022-10-06 18:40:03 10.0.0.11 GET /owa/service.svc action=whoami&cmd=whoami 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 9\r\n",
    ]

    static func findings(_ lines: [String]) throws -> [Finding] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-wsc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("EX01/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Data((header + lines.joined()).utf8).write(to: logs.appendingPathComponent("u_ex221006.log"))
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        return RuleFixtures.run("iis.webshell-command", on: store)
    }

    @Test func aShellOutsideTheWatchedFoldersIsFoundByTheCommandItRan() throws {
        let f = try Self.findings(Self.nearMisses + [Self.shell])
        #expect(f.count == 1)
        let shell = try #require(f.first)
        #expect(shell.severity == .critical)
        #expect(shell.summary.contains("/aspnet_netclient/4_0_30319/devilzShell.aspx naming dsquery"))
        #expect(shell.summary.contains("cmd=dsquery * -filter \"(adminCount=1)\""), "the query decoded")
        #expect(shell.summary.contains("20.106.209.84"))
    }

    @Test func aCommandToAPageThatIsNotThereIsAProbe() throws {
        let probe = Self.shell.replacingOccurrences(of: " 200 0 0 432", with: " 404 0 2 12")
        let f = try Self.findings([probe])
        #expect(f.map(\.severity) == [.medium])
        #expect(f.first?.title == "Windows command sent to a script page that did not answer")
    }

    @Test func commandWordsAreWholeDecodedWords() {
        #expect(WebShellCommandRule.commands(in: "cmd=c%3A%5Cwindows%5Csystem32%5Ccmd.exe+%2Fc+whoami+%2Fall") == ["cmd", "whoami"])
        #expect(WebShellCommandRule.commands(in: "x=net+user+admin+%2Fdomain&y=reg%20save%20hklm%5Csam") == ["net user", "reg save"])
        #expect(WebShellCommandRule.commands(in: "cmd=contents&url=https%3a%2f%2fmail.contoso.net%2fowa") == [])
        #expect(WebShellCommandRule.commands(in: "q=networking+registry+whoamiX") == [])
    }

    /// The automaton passes every query `commands(in:)` finds something in, however the URL spells the space.
    @Test func theCandidateFilterLetsEveryCommandThrough() {
        func candidate(_ q: String) -> Bool {
            var hit = false
            Array(q.utf8).withUnsafeBytes { b in WebShellCommandRule.candidates.scan(b) { _, _ in hit = true; return false } }
            return hit
        }
        for q in ["cmd=NET%20USER+admin", "c=net+group+%22domain+admins%22", "x=Reg Save hklm\\sam", "cmd=c%3A%5Cwindows%5Ccmd.exe",
                  "a=cmd+%2Fc+dir", "a=WHOAMI", "dir=C%3A%5C&cmd=dsquery+*"] {
            #expect(candidate(q) && !WebShellCommandRule.commands(in: q).isEmpty, "\(q)")
        }
        #expect(!candidate("cmd=contents&url=https%3a%2f%2fmail.contoso.net%2fowa%2f&ae=Item"))
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// The ProxyShell and ProxyNotShell stories told by their chain rules on `Fixtures/proxyshell`.
@Suite struct ProxyShellChainRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("proxyshell") }

    @Test func proxyShellStoryFromSSRFToTheShellsUse() {
        let f = RuleFixtures.run("chain.proxyshell", on: store)
        #expect(f.count == 1)
        #expect(f.first?.server == "EX03")
        #expect(f.first?.summary == "autodiscover SSRF 2021-08-12 03:12:01 (proxyshell.ssrf) → PowerShell back end 2021-08-12 03:12:09 (proxyshell.powershell)"
                + " → mailbox export to a web folder 2021-08-12 03:13:02 (exchange.mailbox-export-web)"
                + " → web shell written 2021-08-12 03:13:21 (webshell.mailbox-export-file, webshell.write-event)"
                + " → web-shell use 2021-08-12 04:02:17 (iis.webshell-access); attacker IPs: 45.91.83.140")
        #expect(f.first?.cves == ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"])
    }

    @Test func proxyNotShellStoryNeedsCodeExecution() {
        let f = RuleFixtures.run("chain.proxynotshell", on: store)
        #expect(f.count == 1)
        #expect(f.first?.server == "EX04")
        #expect(f.first?.summary.hasPrefix("SSRF to PowerShell 2022-09-29 10:01:11 (proxynotshell.ssrf) → code execution 2022-09-29 10:01:16 (process.webserver-shell)") == true)
    }

    /// A request that cannot be told from ProxyNotShell's (no X-Rps-CAT, no user), then the PowerShell pool starting a
    /// shell: ProxyNotShell's story. Before, neither chain told it (chain.proxyshell waits for a mailbox export). The
    /// same request with X-Rps-CAT is ProxyShell's alone, and a shell after it starts no ProxyNotShell story.
    @Test(arguments: [(false, true), (true, false)])
    func anAmbiguousSSRFThenCodeIsProxyNotShellsStory(_ rpsCat: Bool, _ told: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-pns-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("EX04/inetpub/logs/LogFiles/W3SVC1"), logs = dir.appendingPathComponent("EX04/eventlogs")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let query = "@evil.com/powershell/?" + (rpsCat ? "X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&" : "")
            + "&Email=autodiscover/autodiscover.json%3F@evil.com&CorrelationID=<empty>;&cafeReqId=0b6e1f6a-1111-4e2a-9b7f-0a0a0a0a0a0a;"
        try ("#Software: Microsoft Internet Information Services 10.0\r\n"
            + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
            + "2022-09-29 10:01:11 10.0.0.11 POST /autodiscover/autodiscover.json \(query) 443 - 1.1.1.7 python-requests/2.28.1 - 200 0 0 100\r\n")
            .write(to: site.appendingPathComponent("u_ex220929.log"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: RuleFixtures.fixturesDir.appendingPathComponent("proxyshell/EX04/eventlogs/sysmon.xml"),
                                         to: logs.appendingPathComponent("sysmon.xml"))
        let s = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: s)
        // With X-Rps-CAT the request is ProxyShell's PowerShell step; without it, the ambiguous SSRF.
        let start = try #require(RuleFixtures.run(rpsCat ? "proxyshell.powershell" : "proxyshell.ssrf", on: s).first)
        #expect(start.cves.contains("CVE-2022-41040") == !rpsCat)
        let chain = RuleFixtures.run("chain.proxynotshell", on: s)
        #expect(chain.count == (told ? 1 : 0))
        if told {
            #expect(chain.first?.summary.hasPrefix("SSRF to PowerShell (ProxyShell or ProxyNotShell) 2022-09-29 10:01:11 (proxyshell.ssrf) → code execution 2022-09-29 10:01:16 (process.webserver-shell)") == true, "\(chain.first?.summary ?? "")")
            #expect(chain.first?.cves == ["CVE-2022-41040", "CVE-2022-41082"])
        }
    }

    @Test func ssrfAloneIsNoStory() throws {
        // Only the web logs of EX03: SSRF and PowerShell but no export or write to confirm them.
        let s = try RuleFixtures.store("proxyshell/EX03/inetpub")
        #expect(RuleFixtures.run("proxyshell.ssrf", on: s).count == 1)
        #expect(RuleFixtures.run("chain.proxyshell", on: s).isEmpty)
    }

    @Test func proxyLogonStoryIsUnchangedByTheNewRules() {
        #expect(RuleFixtures.run("chain.proxylogon", on: store).isEmpty)
    }
}

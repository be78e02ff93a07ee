@testable import ExchangeDetection
import ExchangeEvidence
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

@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// A path-confused request aimed at PowerShell with neither `X-Rps-CAT` nor a user in the line
/// (`Fixtures/proxyshell-or-notshell`: EX70, Exchange 2019 CU12 15.2.1118.7 on 2022-10-01, ProxyShell fixed and
/// ProxyNotShell open): the reviewer's line was called ProxyShell alone and placed in no exposure window.
@Suite struct ProxyShellOrNotShellTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("proxyshell-or-notshell") }

    @Test func aPowerShellRequestWithoutUserOrTokenNamesBothCVEs() throws {
        let f = RuleFixtures.run("proxyshell.ssrf", on: store)
        let both = try #require(f.first { store.lineNumber[$0.events.first!] == 6 })
        #expect(both.events.count == 1)
        #expect(both.cves == ["CVE-2021-34473", "CVE-2022-41040", "CVE-2022-41082"])
        #expect(both.title == "ProxyShell or ProxyNotShell SSRF to PowerShell (CVE-2021-34473 or CVE-2022-41040)")
        #expect(both.summary.contains("ProxyShell's SSRF or ProxyNotShell's"))
        // The /mapi/nspi lookup two hours later is ProxyShell's alone: ProxyNotShell, authenticated, has no need of it.
        let nspi = try #require(f.first { $0.summary.contains("/mapi/nspi") })
        #expect(nspi.cves == ["CVE-2021-34473"] && nspi.title == "ProxyShell SSRF through autodiscover.json (CVE-2021-34473)")
        // The same request with a user is ProxyNotShell's.
        let notShell = RuleFixtures.run("proxynotshell.ssrf", on: store)
        #expect(notShell.flatMap(\.events).map { store.lineNumber[$0] } == [7])
    }

    /// check-build's placement: the server's build left ProxyNotShell open, so the finding falls in that window.
    @Test func theBuildPlacesItInTheProxyNotShellWindow() throws {
        let f = try #require(RuleFixtures.run("proxyshell.ssrf", on: store).first { store.lineNumber[$0.events.first!] == 6 })
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: store), catalog: try BuildCatalog.bundled())
        let placed = try #require(timeline.place([(server: f.server, time: f.time, label: f.rule, cves: f.cves)]).first)
        #expect(placed.windows.map(\.cve).contains("CVE-2022-41040"))
        #expect(!placed.windows.contains { $0.cve == "CVE-2021-34473" })
    }
}

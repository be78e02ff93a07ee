@testable import ExchangeDetection
import ExchangeEvidence
import Testing

@Suite struct ProxyLogonChainRuleTests {
    @Test func theFullIncidentBecomesOneCriticalStory() throws {
        let store = try RuleFixtures.store("proxylogon", "iis", "hostlogs", "files")
        let f = RuleFixtures.run("chain.proxylogon", on: store)
        #expect(f.count == 1)
        let c = try #require(f.first)
        #expect(c.severity == .critical)
        #expect(c.cves == ["CVE-2021-26855", "CVE-2021-26858", "CVE-2021-27065"])
        #expect(c.server == "EX01")
        #expect(c.time == Timestamp.parse("2021-03-03T06:48:10.001Z"))
        for step in ["SSRF 2021-03-03 06:48:10", "virtual-directory change 2021-03-03 06:49:53", "file write 2021-03-03 06:59:21 (webshell.write-event",
                     "web-shell use 2021-03-05 03:06:27", "post-exploitation 2021-03-03 07:05:11"] {
            #expect(c.summary.contains(step), "missing \(step) in \(c.summary)")
        }
        #expect(c.summary.hasSuffix("attacker IPs: 130.255.189.21 (from 2021-03-03 06:48:10, SSRF, virtual-directory change), "
            + "139.162.202.236 (from 2021-03-05 03:06:27, web-shell use), 67.205.176.9 (from 2021-03-06 17:27:45, web-shell use)"))
        #expect(c.title == "ProxyLogon chain: SSRF then virtual-directory change and file write")
    }

    /// The title names the confirming steps seen: an SSRF and a virtual-directory change claim no file write.
    @Test func theTitleSaysWhatWasSeen() {
        func f(_ rule: String, _ iso: String) -> Finding {
            Finding(rule: rule, title: "", cves: [], severity: .high, server: "EX01", time: Timestamp.parse(iso)!,
                    events: [], file: "x", line: 1, summary: "")
        }
        let rule = ProxyLogonChainRule()
        let vdir = rule.run(on: EventStore(), prior: [f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("proxylogon.reset-vdir", "2021-03-03T06:49:53Z")])
        #expect(vdir.map(\.title) == ["ProxyLogon chain: SSRF then virtual-directory change"])
        let write = rule.run(on: EventStore(), prior: [f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("webshell.file", "2021-03-03T07:00:00Z")])
        #expect(write.map(\.title) == ["ProxyLogon chain: SSRF then file write"])
    }

    /// A rule first seen hours after its step began says when; one within the hour does not (reviewer: the next
    /// night's second shell read as part of the first write).
    @Test func aStepsLateRuleSaysWhen() {
        func f(_ rule: String, _ iso: String) -> Finding {
            Finding(rule: rule, title: "", cves: [], severity: .high, server: "EX01", time: Timestamp.parse(iso)!,
                    events: [], file: "x", line: 1, summary: "")
        }
        let chain = ProxyLogonChainRule().run(on: EventStore(), prior: [
            f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("webshell.file", "2021-03-03T06:59:22Z"),
            f("webshell.content", "2021-03-03T07:30:00Z"), f("proxylogon.oab-download", "2021-03-04T01:15:33Z")])
        #expect(chain.first?.summary.contains("file write 2021-03-03 06:59:22 (webshell.file, webshell.content, proxylogon.oab-download 2021-03-04 01:15:33)") == true,
                "\(chain.first?.summary ?? "")")
    }

    @Test func probesAndAutodiscoverOnlyAreNoChain() throws {
        let store = try RuleFixtures.store("proxylogon/EX01/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Autodiscover",
                                           "proxylogon/EX01/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa")
        let all = Hunter().run(on: store).findings
        #expect(!all.isEmpty)
        #expect(!all.contains { $0.rule == "chain.proxylogon" })
    }

    @Test func aWriteMoreThanADayAfterTheSSRFIsNoChain() {
        let store = EventStore()
        func f(_ rule: String, _ iso: String) -> Finding {
            Finding(rule: rule, title: "", cves: [], severity: .high, server: "EX01", time: Timestamp.parse(iso)!,
                    events: [], file: "x", line: 1, summary: "")
        }
        let rule = ProxyLogonChainRule()
        #expect(rule.run(on: store, prior: [f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("webshell.file", "2021-03-04T06:49:43Z")]).isEmpty)
        #expect(rule.run(on: store, prior: [f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("webshell.file", "2021-03-04T06:49:41Z")]).count == 1)
        // A write on another server does not complete this server's chain.
        var other = f("webshell.file", "2021-03-03T07:00:00Z")
        other = Finding(rule: other.rule, title: "", cves: [], severity: .high, server: "EX02", time: other.time, events: [], file: "x", line: 1, summary: "")
        #expect(rule.run(on: store, prior: [f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), other]).isEmpty)
    }

    /// Later activity is not this exploit's: a write eleven days on neither joins the story nor its title, and a
    /// dump months later (after a pause longer than a week) is left to its own finding; scans the next week are not
    /// folded in, while web-shell use two days on still is.
    @Test func activityAfterALongPauseIsNotPartOfTheStory() {
        func f(_ rule: String, _ iso: String) -> Finding {
            Finding(rule: rule, title: "", cves: [], severity: .high, server: "EX01", time: Timestamp.parse(iso)!,
                    events: [], file: "x", line: 1, summary: "")
        }
        let chain = ProxyLogonChainRule().run(on: EventStore(), prior: [
            f("proxylogon.ssrf", "2021-03-03T06:49:42Z"),
            f("proxylogon.reset-vdir", "2021-03-03T06:49:53Z"),
            f("iis.webshell-access", "2021-03-05T03:06:27Z"),
            f("proxylogon.ssrf", "2021-03-09T10:00:00Z"),
            f("webshell.write-event", "2021-03-14T12:00:00Z"),
            f("process.lsass-dump", "2021-10-20T08:00:00Z"),
        ])
        #expect(chain.count == 1)
        #expect(chain.first?.title == "ProxyLogon chain: SSRF then virtual-directory change")
        let summary = chain.first?.summary ?? ""
        #expect(summary.hasPrefix("SSRF 2021-03-03 06:49:42 (proxylogon.ssrf) → virtual-directory change 2021-03-03 06:49:53 (proxylogon.reset-vdir) → web-shell use 2021-03-05 03:06:27 (iis.webshell-access)"))
        #expect(!summary.contains("2021-03-09") && !summary.contains("2021-03-14") && !summary.contains("post-exploitation"), "\(summary)")
        // A second exploitation months later, confirmed within its own day, is a story of its own.
        let two = ProxyLogonChainRule().run(on: EventStore(), prior: [
            f("proxylogon.ssrf", "2021-03-03T06:49:42Z"), f("proxylogon.reset-vdir", "2021-03-03T06:49:53Z"),
            f("proxylogon.ssrf", "2021-10-20T07:00:00Z"), f("webshell.write-event", "2021-10-20T07:05:00Z"),
        ])
        #expect(two.map(\.title) == ["ProxyLogon chain: SSRF then virtual-directory change", "ProxyLogon chain: SSRF then file write"])
        // A confirming step logged in the same second as the SSRF, sorted before it, still confirms it.
        let same = ProxyLogonChainRule().run(on: EventStore(), prior: [
            f("proxylogon.reset-vdir", "2021-03-03T07:00:00Z"), f("proxylogon.ssrf", "2021-03-03T07:00:00Z"),
        ])
        #expect(same.map(\.title) == ["ProxyLogon chain: SSRF then virtual-directory change"])
    }
}

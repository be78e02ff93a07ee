import ExchangeDetection
import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// Coverage-aware verdicts on the training set: EX02 has no event logs, no file listing, no ECP logs and logs
/// starting after ProxyLogon was first seen, so its one low finding cannot clear it.
@Suite struct CoverageVerdictTests {
    @Test func huntSaysWhichRulesCouldNotRunBesideTheFindings() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let text = try t.run("hunt")
        let ex02 = try #require(text.range(of: "EX02: 1 finding (1 low)")).upperBound
        let tail = text[ex02...]
        #expect(tail.contains("not covered: a file listing, collected web files, ECP logs, event logs and Rps Cmdlet logs not loaded: 16 rules could not run"))
        #expect(tail.contains("not covered: HttpProxy logs, IIS logs and OAB generator logs start 2021-02-25, after ProxyLogon was first seen (2021-01-03)"))
        // EX01's event logs stop on 3 March, before its update on the evening of 4 March.
        #expect(text.contains("event logs start 2021-02-27, after ProxyLogon was first seen (2021-01-03) and end 2021-03-03 07:09, before the server was patched (2021-03-04 21:19)"))
    }

    @Test func aRuleWithoutItsEvidenceSaysItCouldNotRun() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let text = try t.run("hunt --rule webshell.file --server EX02")
        #expect(text.contains("EX02: no findings of webshell.file"))
        #expect(text.contains("not covered: a file listing not loaded: webshell.file could not run"))
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("hunt --rule webshell.file --server EX02 --json").utf8)) as! [String: Any]
        let gaps = doc["coverage_gaps"] as! [[String: Any]]
        #expect(gaps.count == 1)
        #expect(gaps[0]["evidence"] as? String == "a file listing" && gaps[0]["could_run"] as? Bool == false)
        #expect(gaps[0]["rules"] as? [String] == ["webshell.file"] && gaps[0]["gaps"] as? [String] == ["not-loaded"])
    }

    @Test func sourcesNamesTheGaps() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let text = try t.run("sources --server EX02")
        #expect(text.contains("EX02: a file listing, collected web files, ECP logs, event logs and Rps Cmdlet logs not loaded: 16 rules could not run"))
    }

    @Test func theReportGivesEX02NotEnoughCoverageWithTheReasons() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let path = dir.appendingPathComponent("r.md")
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("report \(path.path) --json").utf8)) as! [String: Any]
        let servers = doc["servers"] as! [[String: Any]]
        let ex02 = try #require(servers.first { $0["server"] as? String == "EX02" })
        #expect(ex02["verdict"] as? String == "not enough coverage")
        let reasons = ex02["reasons"] as! [String]
        #expect(reasons.first?.hasPrefix("only low-severity findings (F2 Vulnerability scanner probe") == true)
        #expect(reasons.contains { $0.contains("event logs and Rps Cmdlet logs not loaded") })
        #expect(reasons.contains { $0.contains("after ProxyLogon was first seen (2021-01-03)") })
        let md = try String(contentsOf: path, encoding: .utf8)
        #expect(md.contains("| EX02 | **not enough coverage** |"))
        #expect(md.contains("- **EX02**: a file listing, collected web files, ECP logs, event logs and Rps Cmdlet logs not loaded"))
    }

    static func finding(_ severity: String, rule: String = "r") -> ReportFinding {
        ReportFinding(id: "F1", facts: (rule: rule, title: "t", severity: severity, cves: [], server: "EX09", time: 0, summary: ""), events: [])
    }
    static let web = [ServerAssessment.Coverage(source: "httpproxy/Ecp", files: 9, events: 99, first: 0, last: 10 * 86_400_000)]

    @Test func lowFindingsClearAServerOnlyWithFullCoverage() {
        let gap = ["event logs not loaded: 9 rules could not run (…)"]
        let (partial, why) = ReportModel.decide(findings: [Self.finding("low")], marks: [], coverage: Self.web, gaps: gap)
        #expect(partial == .notEnoughCoverage)
        #expect(why.count == 2 && why[1] == gap[0])
        #expect(ReportModel.decide(findings: [], marks: [], coverage: Self.web, gaps: gap).0 == .notEnoughCoverage)
        #expect(ReportModel.decide(findings: [Self.finding("low")], marks: [], coverage: Self.web, gaps: []).0 == .noEvidence)
        // What was found still decides first: missing coverage does not soften a high finding.
        #expect(ReportModel.decide(findings: [Self.finding("high")], marks: [], coverage: Self.web, gaps: gap).0 == .attempted)
        #expect(ReportModel.decide(findings: [Self.finding("critical")], marks: [], coverage: Self.web, gaps: gap).0 == .compromised)
    }

    /// A likely web shell on disk is a result, not an attempt: the server is compromised until the analyst clears
    /// the finding, so the verdict agrees with "Remove the web shells". Its compiled copy (medium) is not.
    @Test func aLikelyWebShellOnDiskIsACompromise() {
        let (verdict, why) = ReportModel.decide(findings: [Self.finding("high", rule: "webshell.file")], marks: [], coverage: Self.web, gaps: [])
        #expect(verdict == .compromised)
        #expect(why == ["1 likely web shell on disk, where a standard install has no such page: F1 webshell.file "
                        + "(mark it benign if the administrators put it there)"])
        #expect(ReportModel.decide(findings: [Self.finding("medium", rule: "webshell.file")], marks: [], coverage: Self.web, gaps: []).0 == .attempted)
        // Marked malicious through its finding: no advice to mark it benign (reviewer).
        let confirmed = CaseMark(sha256: "x", line: 2, path: "EX09/listing.csv", server: "EX09", eventTime: 0, message: "", label: "malicious",
                                 note: "", tags: [], finding: "F1", user: "ana", markedAt: 0)
        let (_, judged) = ReportModel.decide(findings: [Self.finding("high", rule: "webshell.file")], marks: [confirmed], coverage: Self.web, gaps: [])
        #expect(judged == ["1 likely web shell on disk, where a standard install has no such page: F1 webshell.file", "1 event marked malicious"])
        var cleared = Self.finding("high", rule: "webshell.file")
        cleared.cleared = "marked benign by ana: the admins' status page"
        #expect(ReportModel.decide(findings: [cleared], cleared: ["high": 1], marks: [], coverage: Self.web, gaps: []).0 == .noEvidence)
    }

    /// A virtual directory's URL set to a script is a cmdlet the attacker ran (CVE-2021-27065): compromised, whether
    /// the ECP log's line was read or Test-ProxyLogon's list flagged the log (reviewer: such a server was "attempted",
    /// or "not enough coverage" with the list alone). A second-hand OAB write stays high, as the direct OAB rule does.
    @Test func aScriptInAVirtualDirectoryURLIsACompromise() {
        for rule in ["proxylogon.flagged-ecp-log", "proxylogon.ecp-set-vdir", "exchange.cmdlet-vdir-script"] {
            let (verdict, why) = ReportModel.decide(findings: [Self.finding("high", rule: rule)], marks: [], coverage: [], gaps: ["ECP logs not loaded"])
            #expect(verdict == .compromised, "\(rule)")
            #expect(why == ["1 virtual-directory URL set to a script (CVE-2021-27065): F1 \(rule)"])
        }
        #expect(ReportModel.decide(findings: [Self.finding("high", rule: "proxylogon.flagged-oab-log")], marks: [], coverage: Self.web, gaps: []).0 == .attempted)
        #expect(ReportModel.decide(findings: [Self.finding("medium", rule: "exchange.cmdlet-vdir-script")], marks: [], coverage: Self.web, gaps: []).0 == .attempted)
    }
}

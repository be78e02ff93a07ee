import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// The report's key moments: the shape of an intrusion per server, before the tables.
@Suite struct ReportKeyMomentsTests {
    static let t0 = Timestamp.parse("2021-03-03T06:49:42Z")!

    static func finding(_ id: String, _ rule: String, _ severity: String, at seconds: Int64, ip: String? = nil,
                        cleared: String? = nil) -> ReportFinding {
        ReportFinding(id: id, facts: (rule: rule, title: "title of \(rule)", severity: severity, cves: [], server: "EX01",
                                      time: t0 + seconds * 1000, summary: ""),
                      events: [], clientIPs: ip.map { [$0] } ?? [], cleared: cleared)
    }

    static func mark(_ path: String, _ label: String, at seconds: Int64?, note: String = "", line: Int = 1, finding: String? = nil) -> CaseMark {
        CaseMark(sha256: "00", line: line, path: path, server: "EX01", eventTime: seconds.map { t0 + $0 * 1000 } ?? Timestamp.unknown,
                 message: "message of \(path)", label: label, note: note, tags: [], finding: finding, user: "me", markedAt: 0)
    }

    static func server(_ verdict: Verdict, _ findings: [ReportFinding], marks: [CaseMark] = [], patchedAfter seconds: Int64? = nil) -> ServerAssessment {
        ServerAssessment(server: "EX01", verdict: verdict, reasons: [], findings: findings, marks: marks, coverage: [], gaps: [],
                         build: [], recommendedUpdate: nil,
                         exposure: seconds.map { [.init(campaign: "ProxyLogon", cves: [], from: t0 - 86_400_000, opensBeforeEvidence: true,
                                                         until: t0 + $0 * 1000)] } ?? [])
    }

    @Test func closeStepsAreOneMomentAndUseAfterTheUpdateIsFlagged() {
        let s = Self.server(.compromised, [
            Self.finding("F1", "proxylogon.ssrf", "high", at: 0, ip: "167.99.168.251"),
            Self.finding("F2", "proxylogon.ecp-set-vdir", "critical", at: 11, ip: "167.99.168.251"),
            Self.finding("F3", "webshell.file", "high", at: 70),          // 59 s after F2: joined, the run chains
            Self.finding("F4", "process.lsass-dump", "critical", at: 400),
            Self.finding("F5", "iis.webshell-access", "high", at: 500, ip: "167.99.168.251"),
            Self.finding("F6", "iis.webshell-access", "high", at: 600, ip: "10.0.0.9"),      // same rule again: not a moment
            Self.finding("F7", "iis.webshell-access", "high", at: 90_000, ip: "139.162.202.236"),  // after the update: it is
        ], patchedAfter: 80_000)
        let m = s.keyMoments
        #expect(m.map(\.references) == [["F1 proxylogon.ssrf", "F2 proxylogon.ecp-set-vdir", "F3 webshell.file"],
                                        ["F4 process.lsass-dump"], ["F5 iis.webshell-access"], [], ["F7 iis.webshell-access"]])
        #expect(m[0].time == Self.t0)
        #expect(m[0].what == ["title of proxylogon.ssrf", "title of proxylogon.ecp-set-vdir", "title of webshell.file"])
        #expect(m[0].from == ["167.99.168.251"])
        #expect(m[3].what == ["first event on a build fixed for ProxyLogon: the update was installed by then"] && m[3].isUpdate)
        #expect(m.map(\.afterUpdate) == [false, false, false, false, true])
        // The sentence cites the critical step of the first moment, at its own time (F2, 11 s after F1).
        #expect(s.storyLine { Timestamp.short($0) } == "first critical evidence 2021-03-03 06:49:53 (F2, from 167.99.168.251), "
                + "update installed by 2021-03-04 05:03:02, activity after the update 2021-03-04 07:49:42 (F7, from 139.162.202.236)")
    }

    /// The verdict's sentence names the addresses of the finding it cites, not those of the steps joined to it; a
    /// finding's every address is listed, and a long list says how many it leaves out (reviewer).
    @Test func theSentenceNamesItsOwnFindingsAddresses() {
        var f4 = Self.finding("F4", "proxyshell.powershell", "critical", at: 4)
        f4.clientIPs = ["1.1.1.4"]
        var f1 = Self.finding("F1", "proxyshell.ssrf", "high", at: 0)
        f1.clientIPs = (1...12).filter { $0 != 4 }.map { "1.1.1.\($0)" }
        let s = Self.server(.compromised, [f1, f4])
        #expect(s.storyLine { Timestamp.short($0) } == "first critical evidence 2021-03-03 06:49:46 (F4, from 1.1.1.4)")
        #expect(s.keyMoments[0].from.count == 12)
        #expect(KeyMoment.addresses(s.keyMoments[0].from)
                == "1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, 1.1.1.9 and 4 more (in the findings)")
    }

    /// Marks say which event and whose words; an undated one (a collected web file) comes last, not dropped; past the
    /// limit the update still shows (review of stop 34).
    @Test func marksUndatedEventsAndTheLimit() {
        let s = Self.server(.compromised, [], marks: [
            Self.mark("EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx", "malicious", at: nil),
            Self.mark("W3SVC1/u_ex210303.log", "suspicious", at: 0, note: "first shell request"),
            Self.mark("W3SVC1/u_ex210304.log", "benign", at: 7200),
        ])
        let m = s.keyMoments
        #expect(m.map(\.references) == [["W3SVC1/u_ex210303.log:1 marked suspicious"],
                                        ["EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx:1 marked malicious"]])
        #expect(m[0].what == ["analyst: first shell request"] && m[1].what == ["message of EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx"])
        #expect(m[1].time == Timestamp.unknown)
        // The verdict's sentence cites the marked event by its whole FILE:LINE, spaces in the path and all.
        let spaced = Self.server(.compromised, [], marks: [Self.mark("EX01/C/Program Files/Logging/Ecp.LOG", "malicious", at: 0)])
        #expect(spaced.storyLine { Timestamp.short($0) } == "first event marked malicious 2021-03-03 06:49:42 (EX01/C/Program Files/Logging/Ecp.LOG:1)")
        // A server whose worst is high is not told of critical evidence (reviewer: "none critical; first critical evidence").
        let high = Self.server(.attempted, [Self.finding("F2", "proxylogon.ssrf", "high", at: 0, ip: "10.0.20.50")])
        #expect(high.storyLine { Timestamp.short($0) } == "first high finding 2021-03-03 06:49:42 (F2, from 10.0.20.50)")
        // A medium and a high finding of one moment: the sentence cites the high one (reviewer: it named the medium).
        let both = Self.server(.attempted, [Self.finding("F1", "iis.ecp-static-post", "medium", at: 0, ip: "10.0.20.50"),
                                            Self.finding("F2", "proxylogon.ssrf", "high", at: 0, ip: "10.0.20.50")])
        #expect(both.storyLine { Timestamp.short($0) } == "first high finding 2021-03-03 06:49:42 (F2, from 10.0.20.50)")
        let medium = Self.server(.attempted, [Self.finding("F1", "iis.ecp-static-post", "medium", at: 0)])
        #expect(medium.storyLine { Timestamp.short($0) } == "first medium finding 2021-03-03 06:49:42 (F1)")
        // Updated the night before the attempts: said first (reviewer: only "activity after the update" was said).
        let patched = Self.server(.attempted, [Self.finding("F2", "proxylogon.ssrf", "high", at: 0, ip: "10.0.20.50")], patchedAfter: -3600)
        #expect(patched.storyLine { Timestamp.short($0) } == "update installed by 2021-03-03 05:49:42, before the first finding 2021-03-03 06:49:42 (F2, from 10.0.20.50)")

        let many = Self.server(.compromised, (0..<20).map { Self.finding("F\($0)", "rule.\($0)", "high", at: Int64($0) * 120) },
                               patchedAfter: 30 * 120)
        let (shown, more) = ServerAssessment.listed(many.keyMoments)
        #expect(shown.count == ServerAssessment.keyMomentLimit && more == 9)
        #expect(shown.last?.isUpdate == true, "the update is listed though it comes after the first 11 findings")
    }

    /// Past the limit the most important moments stay, not the earliest: routine suspicious marks give way to the
    /// exploit and to what came after the update; a finding marked as a whole is one moment (review of stop 34).
    @Test func theLimitKeepsWhatMattersAndAFindingsMarksAreOne() {
        let routine = (1...15).map { Self.mark("W3SVC1/u_ex210301.log", "suspicious", at: -86_400 + Int64($0) * 300, line: $0) }
        let chain = (1...28).map { Self.mark("Ecp/HttpProxy.LOG", "malicious", at: Int64($0), note: "ProxyLogon chain", line: $0, finding: "F6") }
        var s = Self.server(.compromised, [Self.finding("F6", "chain.proxylogon", "critical", at: 0, ip: "167.99.168.251"),
                                           Self.finding("F9", "iis.webshell-access", "high", at: 90_000, ip: "139.162.202.236")],
                            marks: routine + chain, patchedAfter: 80_000)
        s.markFrom = [chain[0]: "167.99.168.251"]
        s.markFinding = ["F6": "F6"]
        let m = s.keyMoments
        let exploit = try! #require(m.first { $0.references.contains("F6 chain.proxylogon") })
        #expect(exploit.references == ["F6 chain.proxylogon", "F6 marked malicious (28 events)"])
        #expect(exploit.what == ["title of chain.proxylogon", "analyst: ProxyLogon chain"] && exploit.from == ["167.99.168.251"])
        let (shown, more) = ServerAssessment.listed(m)
        #expect(shown.count == 12 && more == m.count - 12)
        #expect(shown.contains(exploit) && shown.contains { $0.isUpdate } && shown.contains { $0.afterUpdate })
        #expect(shown.map(\.time) == shown.map(\.time).sorted(), "listed in time order")
    }

    /// Near misses: low findings, cleared findings and servers not judged compromised or attempted tell no story.
    @Test func lowClearedAndUnjudgedServersHaveNone() {
        let quiet = [Self.finding("F1", "proxylogon.scanner-probe", "low", at: 0),
                     Self.finding("F2", "webshell.file", "high", at: 10, cleared: "benign: admin page")]
        #expect(Self.server(.compromised, quiet).keyMoments.isEmpty)
        #expect(Self.server(.notEnoughCoverage, [Self.finding("F1", "proxylogon.ssrf", "high", at: 0)]).keyMoments.isEmpty)
    }

    @Test func theTrainingReportTellsTheStory() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let path = dir.appendingPathComponent("moments.md")
        try t.run("report \(path.path)")
        let md = try String(contentsOf: path, encoding: .utf8)
        let section = try #require(md.components(separatedBy: "## Key moments\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        #expect(section.hasPrefix("\n**EX01** (compromised)\n"))
        #expect(!section.contains("EX02"))
        #expect(section.contains("| LSASS memory dumped; LSASS memory dump on disk |  | F18 process.lsass-dump, F19 files.lsass-dump |"))
        #expect(section.contains("| **after the update:** Request for a web-shell page | 139.162.202.236 | F24 iis.webshell-access |"))
        #expect(!md.contains("which is not open to"), "near miss: the training set's chain runs on the vulnerable build")
    }

    /// A chain whose logs show a build fixed for its CVEs at its time is still reported, with the contradiction said
    /// (review of stop 35: "compromised" without a word on a patched build).
    @Test func aChainOnAFixedBuildIsFlagged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-fixedchain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = "C/Program Files/Microsoft/Exchange Server/V15/Logging"
        for path in ["HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", "ECP/Server/ECPServer20210303-1.LOG"] {
            let from = ShellHarness.help.root!.appendingPathComponent("training/EX01/\(logs)/\(path)")
            let to = dir.appendingPathComponent("ev/EX01/\(logs)/\(path)")
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (try String(contentsOf: from, encoding: .utf8)).replacingOccurrences(of: ",15,1,2176,2,", with: ",15,1,2176,9,")
                .write(to: to, atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("ev").path) --quiet")
        try t.run("report \(dir.appendingPathComponent("r.md").path)")
        let md = try String(contentsOf: dir.appendingPathComponent("r.md"), encoding: .utf8)
        #expect(md.contains("chain.proxylogon starts at 2021-03-03 06:49:42, when the logs show build 15.1.2176.9, which is not open to CVE-2021-26855"), "\(md.prefix(1500))")
    }
}

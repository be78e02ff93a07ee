import Foundation
@testable import InvestigationShell
import Testing

/// Findings as ids the shell understands everywhere: `show F6`, `timeline --finding F6`, the findings citing
/// an event in `show EVENT`, FILE:LINE in the report, and `hunt`'s most-severe-first order.
@Suite struct FindingIDTests {
    /// The chain finding's id and its events, as `hunt --json` gives them.
    static func chain(_ t: TestShell) throws -> (id: String, events: [Int]) {
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("hunt --json").utf8)) as! [String: Any]
        let chain = try #require((doc["findings"] as! [[String: Any]]).first { $0["rule"] as? String == "chain.proxylogon" })
        return (chain["id"] as! String, chain["events"] as! [Int])
    }

    @Test func huntListsTheCriticalChainFirstForItsServer() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let lines = try t.run("hunt").split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.hasPrefix("EX01: ") })
        #expect(lines[header + 1].contains("CRITICAL") && lines[header + 1].contains("chain.proxylogon"))
        let severities = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("not covered") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        let ex01 = Array(severities.prefix(23))
        let rank = ["CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "INFO": 4]
        #expect(ex01.map { rank[$0] ?? 9 } == ex01.map { rank[$0] ?? 9 }.sorted(), "most severe first: \(ex01)")
        // --sort time keeps the single chronological list.
        let timed = try t.run("hunt --sort time").split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" F") && !$0.hasPrefix("   ") }
        #expect(timed.first?.contains("F1 ") == true)
    }

    @Test func showFindingListsItsEventsByFileAndLine() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let (id, events) = try Self.chain(t)
        let text = try t.run("show \(id)")
        #expect(text.hasPrefix("finding \(id)  CRITICAL"))
        #expect(text.contains("\(events.count) events"))
        #expect(text.contains("Ecp/HttpProxy_2021030306-1.LOG:6 "))
        #expect(text.contains("EX01/eventlogs/Security.xml:1 "))
        // In a pipe (no terminal width) the messages are whole, as `show --json` gives them.
        let doc0 = try JSONSerialization.jsonObject(with: Data(try t.run("show \(id) --json").utf8)) as! [String: Any]
        let messages = (doc0["events"] as! [[String: Any]]).map { $0["message"] as! String }
        #expect(messages.contains { $0.count > 70 }, "a long message to check")
        for m in messages { #expect(text.contains(m), "\(m)") }
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("show \(id.lowercased()) --json").utf8)) as! [String: Any]
        #expect(doc["finding"] as? String == id && doc["rule"] as? String == "chain.proxylogon")
        #expect((doc["events"] as! [[String: Any]]).map { $0["event"] as! Int } == events)
        #expect(t.failure("show F999").contains("no finding 'F999'"))
    }

    @Test func showEventNamesTheFindingsCitingIt() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let (id, _) = try Self.chain(t)
        let text = try t.run("show Ecp/HttpProxy_2021030306-1.LOG:6")
        let cited = try #require(text.split(separator: "\n").first { $0.hasPrefix("cited by ") })
        #expect(cited.contains("\(id) chain.proxylogon") && cited.contains("proxylogon.ssrf"))
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("show Ecp/HttpProxy_2021030306-1.LOG:6 --json").utf8)) as! [String: Any]
        #expect((doc["findings"] as! [[String: Any]]).contains { $0["id"] as? String == id })
        // An event no finding cites says nothing of findings.
        #expect(!(try t.run("show ECPServer20210227-1.LOG:6")).contains("cited by"))
    }

    /// `mark finding` before any `hunt` runs the hunt itself, as `show F3` and `timeline --finding` do.
    @Test func markFindingBeforeAHuntRunsIt() throws {
        let (fresh, _) = try TimelineCommandTests.loaded()
        let said = try fresh.shown("mark finding F6 as malicious")
        #expect(said.contains("marked") && !said.contains("run 'hunt' first"), "\(said)")
        // Numbers change when rules are loaded: the status says which finding F6 was.
        let rule = try #require(fresh.session.findingCitationsRunningHunt().outline(ofFinding: "F6")?.rule)
        #expect(said.contains(": F6 is \(rule) ("), "\(said)")
        let (hunted, _) = try TimelineCommandTests.loaded()
        try hunted.run("hunt")
        try hunted.run("mark finding F6 as malicious")
        #expect(try CaseFileTests.marks(fresh).count == CaseFileTests.marks(hunted).count)
        #expect(TestShell().failure("unmark finding F6").contains("nothing loaded"))
        // A finding named where an event is wanted, and a finding shown before anything is loaded (reviewer).
        #expect(hunted.failure("mark F6 as malicious").contains("'F6' is a finding, not an event: 'mark finding F6 as LABEL'"))
        #expect(TestShell().failure("show F1").contains("nothing loaded"))
    }

    @Test func timelineOfOneFinding() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let (id, events) = try Self.chain(t)
        let rows = try TimelineCommandTests.rows(try t.run("timeline --finding \(id) --json"))
        #expect(Set(rows.map { $0["event"] as! Int }) == Set(events))
        #expect(rows.allSatisfy { ($0["findings"] as? [String])?.contains(id) == true })
        let narrowed = try TimelineCommandTests.rows(try t.run("timeline --finding \(id) --source eventlog --json"))
        #expect(!narrowed.isEmpty && narrowed.count < rows.count)
        #expect(t.failure("timeline --finding F999").contains("no finding 'F999'"))
    }

    @Test func reportFindingTablesCiteFileAndLine() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let path = dir.appendingPathComponent("r.md")
        try t.run("report \(path.path)")
        let md = try String(contentsOf: path, encoding: .utf8)
        let chainRow = try #require(md.split(separator: "\n").first { $0.contains("| chain.proxylogon |") })
        // 28 events: the first three by FILE:LINE, then +25; the first is hunt's FILE:LINE (the undated collected
        // shell comes after the dated events, not before the SSRF).
        #expect(chainRow.hasSuffix("`EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log:59`, "
                                   + "`EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG:6`, "
                                   + "`EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log:60` +25 |"))
        #expect(ReportFinding.citation(["a.log:1", "a.log:2"], count: 2) == "a.log:1, a.log:2")
        #expect(ReportFinding.citation(["a.log:1", "a.log:2", "b.log:3"], count: 7) == "a.log:1, a.log:2, b.log:3 +4")
    }
}

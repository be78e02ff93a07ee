import Foundation
import Testing
import ExchangeEvidence
@testable import InvestigationShell

/// The audit log knows which lines a `source` ran, older case files gain that column when opened, and
/// `case history --as-script` writes a command file that replays the session without running sourced lines twice.
@Suite struct CaseHistoryTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    static func audit(_ t: TestShell) throws -> [AuditEntry] {
        try #require(CaseState.of(t.session).file).auditLog()
    }

    @Test func auditLogRecordsTheSourceDepth() throws {
        let dir = try CaseFileTests.folder()
        let inner = dir.appendingPathComponent("inner.exh")
        try "set INNER 1\nnote from the sourced file\n".write(to: inner, atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("case new \(dir.appendingPathComponent("d.case").path)")
        try t.run("source \(inner.path)")
        let log = try Self.audit(t)
        #expect(log.map(\.command) == ["case new \(dir.appendingPathComponent("d.case").path)", "set INNER 1",
                                       "note from the sourced file", "source \(inner.path)"])
        #expect(log.map(\.depth) == [0, 1, 1, 0])
    }

    /// Each command of a line is logged alone: a failure later on the line does not make its mark "failed".
    @Test func aLineIsLoggedCommandByCommand() throws {
        let dir = try CaseFileTests.folder()
        let t = TestShell()
        try t.run("load \(Self.training)")
        try t.run("case new \(dir.appendingPathComponent("l.case").path)")
        _ = t.failure("mark 2043 as malicious --note first; bogus")
        let log = try Self.audit(t)
        #expect(log.suffix(2).map(\.command) == ["mark 2043 as malicious --note first", "bogus"])
        #expect(log.suffix(2).map { $0.error == nil } == [true, false])
        #expect(try CaseFileTests.marks(t).map { $0["event"] as? Int } == [2043])
    }

    @Test func historyScriptReplaysTheSessionOnce() throws {
        let dir = try CaseFileTests.folder()
        let inner = dir.appendingPathComponent("inner.exh")
        try "note from the sourced file\nmark 2 as suspicious\n".write(to: inner, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("history.exh").path
        let a = TestShell()
        try a.run("load \(Self.training)")                                    // before the case: logged when it opens
        try a.run("case new \(dir.appendingPathComponent("a.case").path)")
        try a.run("source \(inner.path)")
        // A report written beside the script: replayed there, it would stop the script before the marks after it.
        try a.run("report \(dir.appendingPathComponent("r.md").path); timeline --limit 1")
        _ = a.failure("timeline --ip not-an-ip")
        try a.run("record start \(dir.appendingPathComponent("r.exh").path); mark 398 2049 as malicious --note 'the chain'")
        try a.run("record stop")
        let out = try a.shown("case history --as-script \(script)")
        #expect(out.contains("wrote 4 commands") && out.contains("(1 failed, kept as comments)") && out.contains("2 sourced lines"))

        let text = try String(contentsOfFile: script, encoding: .utf8)
        let commands = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let store = a.session.store
        let lines = [398, 2049].map { Tokenizer.quote(Self.reference($0, store)) }.joined(separator: " ")
        #expect(commands == ["load \(Self.training)", "source \(inner.path)", "timeline --limit 1", "mark \(lines) as malicious --note 'the chain'"])
        #expect(text.contains("wrote a file, not replayed (remove '# ' to write it again):\n# report \(dir.appendingPathComponent("r.md").path)\n"))
        #expect(text.contains("# so are the report and export commands"))
        #expect(text.contains("# typed as: mark 398 2049 as malicious --note 'the chain' (numbers of that session; replayed by FILE:LINE)\n"))
        #expect(text.contains("# case new \(dir.appendingPathComponent("a.case").path)\n"))
        #expect(text.contains("# its marks and notes go to the case open when it runs (./exhunt.case, created if need be"))
        #expect(text.contains("failed: timeline: --ip: 'not-an-ip' is not an IP address"))
        #expect(text.contains("\n# timeline --ip not-an-ip\n"))

        // Replayed into another case: the same marks, and the sourced note once.
        let b = TestShell()
        try b.run("case new \(dir.appendingPathComponent("b.case").path)")
        let result = b.shell.runScript(text, name: "history.exh", echo: false, keepGoing: false)
        #expect(result.failures == 0, "\(result.firstError ?? "")")
        for t in [a, b] {
            let marks = try CaseFileTests.marks(t)
            #expect(marks.map { $0["event"] as? Int } == [398, 2, 2049])
            #expect(marks.map { $0["label"] as? String } == ["malicious", "suspicious", "malicious"])
            #expect(try t.run("note").components(separatedBy: "from the sourced file").count == 2)
        }
        // An existing file is kept unless --force; evidence is never written.
        #expect(a.failure("case history --as-script \(script)").contains("exists (--force to overwrite)"))
        #expect(try a.run("case history --as-script \(script) --force --json").contains("\"commands\""))
        #expect(a.failure("case history --as-script \(Self.training)/h.exh").contains("inside the evidence set"))
        #expect(!FileManager.default.fileExists(atPath: "\(Self.training)/h.exh"))
    }

    /// A note with a line break (given through a variable) cannot be written on one line: a comment says so,
    /// where the note used to be replayed flattened into another (reviewer).
    /// The "$VARIABLES" header is for a line that expands one, not for a `$` inside single quotes (review of stop 34).
    @Test func onlyExpandedVariablesCount() {
        #expect(CaseHistoryScript.variables(in: "load $EVIDENCE") == ["EVIDENCE"])
        #expect(CaseHistoryScript.variables(in: "note \"under $HOME\"") == ["HOME"])
        #expect(CaseHistoryScript.variables(in: "note 'under $HOME'").isEmpty)
        #expect(CaseHistoryScript.variables(in: "hunt --min high").isEmpty)
    }

    @Test func aValueWithALineBreakIsNotReplayedFlattened() throws {
        let dir = try CaseFileTests.folder()
        let a = TestShell()
        try a.run("load \(Self.training); case new \(dir.appendingPathComponent("a.case").path)")
        a.session.variables["NOTE"] = "line1\nline2 ; rm"
        try a.run("mark 398 as suspicious --note $NOTE")
        let script = dir.appendingPathComponent("h.exh").path
        #expect(try a.shown("case history --as-script \(script)").contains("1 with a line break in a value kept as comments"))
        let text = try String(contentsOfFile: script, encoding: .utf8)
        #expect(text.contains("failed: not replayed: a value holds a line break") && !text.split(separator: "\n").contains { $0.hasPrefix("mark ") })
    }

    /// `FILE:LINE@TIME#DIGEST` as written here: the line's time and the first 8 hex digits of its SHA-256.
    static func reference(_ e: EventID, _ store: EventStore) -> String {
        "\(store.file(of: e).path):\(store.line(of: e))@\(Timestamp.iso(store.time[e]))#"
            + String(SHA256.hex(Array(store.rawLine(e).utf8)).prefix(8))
    }

    /// A script that loads a relative path says to run it from the folder it was typed in (reviewer: handed over, it
    /// failed with "no such file or folder"); absolute paths, the demo set and option values do not count.
    @Test func relativeLoadPathsAreNamedInTheHeader() {
        func header(_ commands: [String]) -> String {
            let entries = commands.map { AuditEntry(time: 0, user: "a", command: $0, error: nil) }
            return CaseHistoryScript.build(entries, casePath: "c.case", scriptPath: "s.exh", now: 0).text
                .split(separator: "\n").filter { $0.hasPrefix("#") }.joined(separator: "\n")
        }
        let note = "# relative paths (load, source, rules load) are as typed"
        for relative in ["load caseA --quiet", "load --name x caseA", "source triage.exh", "rules load sigma/rules"] {
            #expect(header([relative]).contains(note), "\(relative)")
        }
        for absolute in ["load /ev/caseA --name x --quiet", "load demo", "rules load /r", "rules", "hunt"] {
            #expect(!header([absolute]).contains(note), "\(absolute)")
        }
    }

    /// A script using `$V` names it, and its replay line gives the session's value (reviewer: the offered replay
    /// failed with "undefined variable $V").
    @Test func theReplayLineGivesTheVariablesTheScriptUses() {
        let entries = ["note $V", "note '$NOT_EXPANDED'", "timeline --ip ${IP}"].map { AuditEntry(time: 0, user: "a", command: $0, error: nil) }
        let text = CaseHistoryScript.build(entries, casePath: "c.case", scriptPath: "s.exh", now: 0,
                                           variables: ["V": "hello world", "OTHER": "x"]).text
        #expect(text.contains("# replay: exhunt --set 'V=hello world' -f s.exh\n"))
        #expect(text.contains("# this file uses $IP, $V: give them with --set NAME=VALUE (the replay line gives this session's values it has)\n"))
    }

    /// A line of the same second added before the marked one leaves the time alone: the digest refuses it (reviewer).
    @Test func aReplayedMarkWhoseLineReadsOtherwiseIsRefused() throws {
        let dir = try CaseFileTests.folder()
        let a = TestShell()
        try a.run("load \(Self.training); case new \(dir.appendingPathComponent("a.case").path)")
        let store = a.session.store
        let right = Self.reference(398, store)
        let wrong = String(right.dropLast(8)) + "00000000"
        #expect(a.failure("mark '\(wrong)' as malicious").contains("reads otherwise in this evidence than when it was marked"))
        try a.run("mark '\(right)' as malicious")
        #expect(try CaseFileTests.marks(a).first?["event"] as? Int == 398)
    }

    /// Lines added or removed before the marked one moved it: the one event of the file with the reference's time
    /// and digest is the marked one, and the replay marks it (reviewer: a mark of six events was refused whole),
    /// saying that the file differs from the one cited and where the event is now (reviewer: it did so silently).
    @Test func aReplayedMarkFollowsItsEventToAnotherLine() throws {
        let dir = try CaseFileTests.folder()
        let a = TestShell()
        try a.run("load \(Self.training); case new \(dir.appendingPathComponent("a.case").path)")
        let store = a.session.store
        let right = Self.reference(398, store)
        let line = store.line(of: 398)
        let moved = right.replacingOccurrences(of: ":\(line)@", with: ":\(line - 1)@")
        try #require(moved != right)   // line - 1 is the log's header: no event there now
        let said = try a.shown("mark '\(moved)' as malicious")
        #expect(try CaseFileTests.marks(a).map { $0["event"] as? Int } == [398])
        let cited = "\(store.file(of: 398).path):\(line - 1)"
        #expect(said.contains("note: 1 event is at another line than cited, found by time and line digest: the file differs from the one "
                              + "cited (lines added or removed before it); e.g. \(cited) is now line \(line)"), "\(said)")
        let json = try JSONSerialization.jsonObject(with: Data(try a.run("mark '\(moved)' as malicious --json").utf8)) as! [String: Any]
        #expect((json["moved"] as? [[String: Any]])?.map { [$0["cited"] as? String, "\($0["line"] ?? "")"] } == [[cited, "\(line)"]])
        // Cited at its own line, nothing is said.
        #expect(!(try a.shown("mark '\(right)' as malicious")).contains("another line"))
    }

    /// The replay form carries the event's time: on evidence where a line was added before the marked one, the
    /// event now at that line has another time, and the mark is refused with the time to look for (reviewer).
    @Test func aReplayedMarkWhoseLineHoldsAnotherTimeIsRefused() throws {
        let dir = try CaseFileTests.folder()
        let a = TestShell()
        try a.run("load \(Self.training); case new \(dir.appendingPathComponent("a.case").path)")
        let store = a.session.store
        let cite = "\(store.file(of: 398).path):\(store.line(of: 398))"
        let refused = a.failure("mark '\(cite)@2021-03-03T07:05:38.000Z' as malicious")
        #expect(refused.contains("is an event of \(Timestamp.iso(store.time[398])) in this evidence, not of 2021-03-03T07:05:38.000Z as when it was marked"),
                "\(refused)")
        let none = try CaseFileTests.marks(a)
        #expect(refused.contains("'timeline --around 2021-03-03T07:05:38.000Z'") && none.isEmpty)
        try a.run("mark '\(cite)@\(Timestamp.iso(store.time[398]))' as malicious")
        #expect(try CaseFileTests.marks(a).first?["event"] as? Int == 398)
        #expect(a.failure("mark 10-5 as benign").contains("'10-5' runs from high to low; write 5-10"))
    }

    /// Event ids and finding numbers belong to one session: replayed on other evidence, the history must
    /// fail to find the events rather than mark whatever now has those numbers (an ordinary request marked
    /// malicious turned a clean server "compromised").
    @Test func marksByNumberReplayByFileAndLine() throws {
        let dir = try CaseFileTests.folder()
        let script = dir.appendingPathComponent("history.exh").path
        let a = TestShell()
        try a.run("load \(Self.training); case new \(dir.appendingPathComponent("a.case").path)")
        try a.run("mark finding F1 as malicious --note chain; mark 5 as benign")
        try a.run("unmark 5")
        try a.run("case history --as-script \(script)")
        let text = try String(contentsOfFile: script, encoding: .utf8)
        let store = a.session.store
        let marked = try CaseFileTests.marks(a).compactMap { $0["event"] as? Int }
        let refs = marked.map { Tokenizer.quote(Self.reference($0, store)) }.joined(separator: " ")
        let commands = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        let five = Tokenizer.quote(Self.reference(5, store))
        #expect(commands.suffix(3) == ["mark \(refs) as malicious --note chain", "mark \(five) as benign", "unmark \(five)"])
        #expect(text.contains("# typed as: mark finding F1 as malicious --note chain (numbers of that session"))

        // The same evidence: the same events marked.
        let b = TestShell()
        try b.run("case new \(dir.appendingPathComponent("b.case").path)")
        let same = b.shell.runScript(text, name: "history.exh", echo: false, keepGoing: false)
        #expect(same.failures == 0, "\(same.firstError ?? "")")
        #expect(try CaseFileTests.marks(b).compactMap { $0["event"] as? Int } == marked)

        // Other evidence: the marks fail, naming the missing file, and nothing else is marked.
        let other = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: HuntCommandTests.fixtures.appendingPathComponent("iis"), to: other.appendingPathComponent("iis"))
        let c = TestShell()
        try c.run("case new \(dir.appendingPathComponent("c.case").path)")
        let replayed = c.shell.runScript(text.replacingOccurrences(of: "load \(Self.training)", with: "load \(other.path)"),
                                         name: "history.exh", echo: false, keepGoing: true)
        #expect(replayed.failures == 3)
        #expect(replayed.firstError?.contains("mark: no loaded file") == true, "\(replayed.firstError ?? "")")
        #expect(try CaseFileTests.marks(c).isEmpty)
    }

    @Test func caseFilesOfTheFirstSchemaOpenAndGainTheDepth() throws {
        let path = try CaseFileTests.folder().appendingPathComponent("v1.case").path
        // A case as version 1 wrote it: an audit table without the depth column.
        let old = try CaseFile.create(at: path)
        try old.write { db in
            try db.execute(sql: """
                DROP TABLE audit;
                DROP TABLE provenance;
                CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, user TEXT NOT NULL,
                                    command TEXT NOT NULL, error TEXT);
                INSERT INTO audit (time, user, command, error) VALUES (1614754140000, 'ana', 'load /cases/x', NULL);
                PRAGMA user_version = 1;
                """)
        }
        old.close()
        let t = TestShell()
        try t.run("case open \(path)")
        try t.run("set A 1")
        let log = try Self.audit(t)
        #expect(log.map(\.command) == ["load /cases/x", "case open \(path)", "set A 1"])
        #expect(log.map(\.depth) == [0, 0, 0])
        try t.run("case close")
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(64)
        #expect(header.suffix(4).reduce(0) { $0 << 8 | Int($1) } == CaseFile.schemaVersion)     // user_version
        // Opening it again (now current) changes nothing more.
        try t.run("case open \(path)")
        #expect(try Self.audit(t).count == 5)
    }
}

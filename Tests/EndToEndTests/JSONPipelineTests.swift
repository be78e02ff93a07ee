import Foundation
import Testing

/// exhunt in a pipeline: every command's `--json` is JSON a parser accepts, whether asked per command
/// (`hunt --json`: one document) or globally (`exhunt --json`: one document per line); status lines such as
/// `loaded …` go to stderr; a reader that closes the pipe early ends exhunt quietly.
@Suite struct JSONPipelineTests {
    /// Invocations of every command (arguments where it needs them), run in this order after `load demo` and
    /// `case new`; `next`, `back`, `hint` and `exit` run inside `lesson 1`, `quit` ends the run.
    static func invocations(_ dir: URL) -> [(command: String, line: String)] {
        [("help", "help"), ("help", "help load"), ("help", "help --search webshell"), ("load", "load demo --name again"),
         ("sources", "sources"), ("sources", "sources --files"), ("sources", "sources --problems"), ("info", "info"),
         ("show", "show 1"), ("set", "set"), ("hunt", "hunt"), ("hunt", "hunt --server EX02"), ("rules", "rules"),
         ("grep-ioc", "grep-ioc"), ("grep-ioc", "grep-ioc --hits"), ("ioc", "ioc"), ("ioc", "ioc show helsecert"),
         ("ioc", "ioc export-patterns helsecert"), ("ioc", "ioc add ip 203.0.113.9"), ("check-build", "check-build"),
         ("timeline", "timeline --limit 3"), ("timeline", "timeline --histogram"), ("mark", "mark 1 as suspicious"),
         ("mark", "mark 2 as benign"), ("unmark", "unmark 2"), ("marks", "marks"), ("note", "note checked"), ("case", "case"),
         ("case", "case history"), ("export", "export timeline \(dir.path)/t.jsonl --force"),
         ("export", "export proxylogon \(dir.path)/pl --force"), ("report", "report \(dir.path)/r.md --force"),
         ("source", "source \(dir.path)/quiet.exh"), ("record", "record"), ("lesson", "lesson"), ("lesson", "lesson 1"),
         ("next", "next --skip"), ("back", "back"), ("hint", "hint"), ("exit", "exit"), ("quit", "quit")]
    }

    static func commandNames() throws -> [String] {
        let r = try ExhuntProcess.run(["--json", "-c", "help"])
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        return list.map { $0["name"] as! String }
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "# prints nothing\nset A 1\n".write(to: dir.appendingPathComponent("quiet.exh"), atomically: true, encoding: .utf8)
        return dir
    }

    static func parses(_ text: some StringProtocol) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(String(text).utf8), options: .fragmentsAllowed)) != nil
    }

    /// Splits stdout into JSON documents (indented ones end with a `}` or `]` at the start of a line); nil when
    /// some text is no JSON document.
    static func documents(_ text: String) -> [String]? {
        var docs: [String] = [], buffer = ""
        for line in text.split(separator: "\n") {
            buffer += line + "\n"
            if (buffer == line + "\n" || line.hasPrefix("}") || line.hasPrefix("]")) && parses(buffer) {
                docs.append(buffer)
                buffer = ""
            }
        }
        return buffer.isEmpty ? docs : nil
    }

    @Test func everyCommandsJSONParsesGlobalAndPerCommand() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let invocations = Self.invocations(dir)
        for name in try Self.commandNames() {
            #expect(invocations.contains { $0.command == name }, "no JSON test for the command '\(name)'")
        }
        let setup = ["load demo", "case new \(dir.path)/global.case"]

        // Global --json: one JSON document per line, and nothing else on stdout.
        let global = try ExhuntProcess.run(["--json"] + (setup + invocations.map(\.line)).flatMap { ["-c", $0] })
        #expect(global.status == 0, "\(global.stderr)")
        let lines = global.stdout.split(separator: "\n")
        #expect(lines.count >= invocations.count, "each command prints at least one line (but source and quit)")
        for line in lines { #expect(Self.parses(line), "exhunt --json: not a JSON line: \(line.prefix(300))") }

        // Per command: exactly the commands' JSON documents on stdout; the load's status line is on stderr.
        let single = try ExhuntProcess.run((["load demo", "case new \(dir.path)/single.case"] + invocations.map { $0.line + " --json" }).flatMap { ["-c", $0] })
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.stderr.contains("loaded training: 1450 files"), "the load's status goes to stderr")
        let docs = Self.documents(single.stdout)
        #expect(docs != nil, "stdout is not a sequence of JSON documents: \(single.stdout.prefix(2000))")
        #expect((docs?.count ?? 0) >= invocations.count - 2, "a document from every command but source and quit")

        // The exports carry their provenance beside them.
        for file in ["t.jsonl.provenance.json", "pl/exhunt-provenance.json"] {
            let data = try Data(contentsOf: dir.appendingPathComponent(file))
            let p = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file)")
            #expect(p["exhunt"] as? String == "0.1.0" && (p["commands"] as? [Any])?.isEmpty == false, "\(file)")
        }
    }

    @Test func huntJSONNamesItsProvenance() throws {
        let r = try ExhuntProcess.run(["-c", "load demo", "-c", "set timezone America/New_York", "-c", "hunt --json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let p = try #require(doc["provenance"] as? [String: Any])
        #expect(p["exhunt"] as? String == "0.1.0")
        #expect(p["commit"] as? String == "unknown", "a development build cannot know its commit")
        #expect((p["binary_sha256"] as? String)?.count == 64)
        let rules = try ExhuntProcess.run(["-c", "rules --json"])
        let builtIn = (try JSONSerialization.jsonObject(with: Data(rules.stdout.utf8)) as? [Any])?.count
        #expect((p["rules"] as? [String: Any])?["count"] as? Int == builtIn, "every built-in rule is in the digest")
        #expect((p["ioc_sets"] as? [[String: Any]])?.count == 6)
        #expect(p["timezone"] as? String == "America/New_York")
        #expect((p["commands"] as? [[String: Any]])?.map { $0["command"] as! String } == ["load demo", "set timezone America/New_York"],
                "the commands before the hunt (its own line is recorded once it has run)")
    }

    /// `--echo` writes the commands to stderr (`sh -x`), so `exhunt --echo -c '…; grep-ioc --json' | jq` parses.
    @Test func echoedCommandsStayOffStdout() throws {
        let r = try ExhuntProcess.run(["--echo", "-c", "load demo; grep-ioc --json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.parses(r.stdout), "\(r.stdout.prefix(200))")
        #expect(r.stderr.hasPrefix("+ load demo\n") && r.stderr.contains("+ grep-ioc --json\n"), "\(r.stderr.prefix(300))")
    }

    /// `export timeline -` piped into `head -1`: the header line reaches the reader, and the export that could not
    /// finish ends quietly with 141, as `timeline | head` does.
    @Test func standardOutputExportIntoAClosedPipe() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first").path
        let r = try ExhuntProcess.runPiped(["-c", "load demo; export timeline - --format csv --filter '--limit 0'"], into: "sh -c 'head -1 > \(first)'")
        #expect(r.status == 141, "\(r.stderr)")
        #expect(r.stderr == "loaded training: 1450 files, 4697 events, 3.6 MiB from EX01, EX02\n")
        #expect(try String(contentsOfFile: first, encoding: .utf8).hasPrefix("message,datetime,timestamp_desc,"))
    }

    /// Runs exhunt with `arguments` under bash, its stdout redirected as `redirect` says (`> /dev/full`, `>&-`).
    static func runRedirected(_ arguments: [String], _ redirect: String) throws -> ExhuntProcess.Result {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let line = ([ExhuntProcess.binary.path] + arguments).map(quote).joined(separator: " ") + " " + redirect
        return try ExhuntProcess.run([], executable: URL(fileURLWithPath: "/bin/bash"), prefix: ["-c", line])
    }

    /// `export … -` into a full disk or a closed stdout fails the export itself: its error, no summary, no
    /// provenance file, and the script stops there (reviewer: "wrote 4686 events to standard output", then the
    /// next command ran).
    @Test func standardOutputExportThatCannotBeWrittenFails() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let provenance = dir.appendingPathComponent("full.provenance.json").path
        for redirect in ["> /dev/full", ">&-"] {
            let r = try Self.runRedirected(["-c", "load demo --quiet; export timeline - --format csv --provenance \(provenance) --json; check-build 15.after-export"], redirect)
            #expect(r.status == 1, "\(redirect): \(r.stderr)")
            #expect(r.stderr.contains("export timeline: cannot write to standard output: "), "\(redirect): \(r.stderr)")
            // The next command would fail on stderr, naming its build: it does not run.
            #expect(!r.stderr.contains("wrote") && !r.stderr.contains("15.after-export"), "\(redirect): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: provenance), "\(redirect)")
        }
    }

    /// stdout redirected into a loaded evidence set (`>> EX01/…/HttpProxy_….LOG`) is refused before anything is
    /// written, as `export timeline FILE` inside the set is (reviewer: the rows were appended to a loaded log).
    @Test func standardOutputRedirectedIntoTheEvidenceIsRefused() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("ap/EX01/HttpProxy/Ecp")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("HttpProxy_2021030304-1.LOG")
        let text = "#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n#Fields: DateTime,RequestId,UrlStem,HttpStatus\n"
            + "2021-03-03T04:00:00.000Z,r1,/ecp/default.aspx,200\n"
        try text.write(to: log, atomically: true, encoding: .utf8)
        func quote(_ s: String) -> String { "'" + s + "'" }
        let ap = dir.appendingPathComponent("ap").path
        let appended = try Self.runRedirected(["-c", "load \(ap) --quiet; export timeline - --format csv"], ">> " + quote(log.path))
        #expect(appended.status == 1 && appended.stderr.contains("is loaded evidence; evidence is never written"), "\(appended.stderr)")
        #expect(try String(contentsOf: log, encoding: .utf8) == text, "the log is unchanged")
        let inside = logs.appendingPathComponent("new.csv")
        let created = try Self.runRedirected(["-c", "load \(ap) --quiet; export timeline - --format csv"], "> " + quote(inside.path))
        // The shell creates the file before exhunt runs, so the load reads it too: refused as loaded evidence.
        #expect(created.status == 1 && created.stderr.contains("new.csv is loaded evidence"), "\(created.stderr)")
        #expect(try String(contentsOf: inside, encoding: .utf8).isEmpty)
        // Near miss: beside the set, the export is written.
        let beside = dir.appendingPathComponent("out.csv")
        let fine = try Self.runRedirected(["-c", "load \(ap) --quiet; export timeline - --format csv"], "> " + quote(beside.path))
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(try String(contentsOf: beside, encoding: .utf8).hasPrefix("message,datetime,"))
    }

    @Test func closedPipeEndsQuietly() throws {
        for command in ["load demo; timeline", "load demo; hunt --json", "load demo; grep-ioc --hits", "load demo; sources --files"] {
            let r = try ExhuntProcess.runPiped(["-c", command], into: "head -c 10")
            #expect(r.status == 141 || r.status == 0, "\(command): status \(r.status)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("backtrace") && !r.stderr.contains("Stack dump"),
                    "\(command): \(r.stderr.prefix(300))")
        }
    }
}

import Foundation
@testable import InvestigationShell
import Testing

/// `-` as an export's FILE: the rows on standard output, byte for byte what the file form writes, after what
/// earlier commands printed; the summary and the `--json` object on stderr, even on a terminal; `--format`
/// where the name cannot tell it; provenance only where `--provenance` puts it.
@Suite struct StandardOutputExportTests {
    /// Captured output that says it is a terminal: there a file export's summary goes to stdout, so a summary
    /// kept off a standard-output export's rows shows the routing, not a pipe's default.
    final class TerminalCapture: OutputSink {
        var stdout = "", stderr = ""
        var isTerminal: Bool { true }
        /// What a failed write of stdout (`> /dev/full`) and a stdout redirected to a file would report.
        var writeError: Int32?
        var regularFilePath: String?
        func write(_ text: String) { stdout += text }
        func diagnostic(_ text: String) { stderr += text }
    }

    /// A shell on a "terminal" with the training set loaded, and a folder for the file forms.
    static func loaded() throws -> (Shell, TerminalCapture, URL) {
        let out = TerminalCapture()
        let shell = Shell(session: Session(output: out, help: ShellHarness.help))
        try shell.execute("load \(TimelineCommandTests.training)")
        return (shell, out, ShellHarness.temporaryFolder())
    }

    /// Runs `line`; returns what it wrote to each stream.
    static func run(_ line: String, _ shell: Shell, _ out: TerminalCapture) throws -> (stdout: String, stderr: String) {
        let (o, e) = (out.stdout.count, out.stderr.count)
        try shell.execute(line)
        return (String(out.stdout.dropFirst(o)), String(out.stderr.dropFirst(e)))
    }

    @Test func timelineCSVIsTheFileBytesAfterEarlierOutput() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tl.csv")
        let filed = try Self.run("export timeline \(file.path) --filter '--ip 167.99.168.251 --limit 3'", shell, out)
        #expect(filed.stdout.hasPrefix("wrote 3 events to "), "on a terminal a file export's summary is shown with the results")
        let bytes = try String(contentsOf: file, encoding: .utf8)
        let table = try Self.run("timeline --limit 3", shell, out).stdout
        let piped = try Self.run("timeline --limit 3; export timeline - --format csv --filter '--ip 167.99.168.251 --limit 3'", shell, out)
        #expect(piped.stdout == table + bytes, "the table, then exactly the file's bytes")
        #expect(bytes.hasPrefix("message,datetime,timestamp_desc,timestamp,server,source,channel,event,file,line,sha256,findings,tag,mark_note,url_query\n"))
        #expect(bytes.split(separator: "\n").count == 4)
        #expect(piped.stderr.hasSuffix("\nwrote 3 events to standard output; "
                                       + "no provenance file (standard output has no file beside it: --provenance FILE writes one)\n"), "\(piped.stderr)")
        let jsonl = try Self.run("export timeline - --format jsonl --filter '--ip 167.99.168.251 --limit 3'", shell, out).stdout
        #expect(jsonl.split(separator: "\n").count == 3 && jsonl.hasPrefix("{\"message\":"), "\(jsonl.prefix(200))")
    }

    /// The index template piped to `curl … --data-binary @-`: the file's bytes, the summary on stderr, and
    /// `--force` refused, as there is nothing to replace.
    @Test func ecsTemplateIsTheFileBytes() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("template.json")
        try shell.execute("export ecs-template \(file.path) --pattern exhunt-ex01-*")
        let bytes = try String(contentsOf: file, encoding: .utf8)
        let piped = try Self.run("export ecs-template - --pattern exhunt-ex01-*", shell, out)
        #expect(piped.stdout == bytes)
        #expect(piped.stderr.hasPrefix("wrote the index template for exhunt-ex01-* to standard output; install it as 'exhunt-ex01'"), "\(piped.stderr)")
        let json = try Self.run("export ecs-template - --json", shell, out)
        #expect(json.stderr == "{\"file\":\"-\",\"pattern\":\"exhunt-*\",\"name\":\"exhunt\"}\n", "\(json.stderr)")
        #expect(throws: (any Error).self) { try shell.execute("export ecs-template - --force") }
        out.writeError = ENOSPC
        #expect(throws: (any Error).self) { try shell.execute("export ecs-template -") }
    }

    @Test func eventsNDJSONIsTheFileBytesWithTheResultOnStderr() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ev.ndjson")
        try shell.execute("export events \(file.path) --index exhunt-ex01 --filter '--server EX02 --limit 4'")
        let bytes = try String(contentsOf: file, encoding: .utf8)
        let piped = try Self.run("export events - --index exhunt-ex01 --filter '--server EX02 --limit 4' --json", shell, out)
        #expect(piped.stdout == bytes)
        #expect(bytes.split(separator: "\n").count == 8 && bytes.hasPrefix("{\"create\":{\"_index\":\"exhunt-ex01\"}}\n{\"@timestamp\":"))
        let lines = piped.stderr.split(separator: "\n")
        let object = try #require(lines.first)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(object.utf8)) as? [String: Any])
        #expect(result["file"] as? String == "-" && result["events"] as? Int == 4 && result["provenance_file"] is NSNull)
        // With --json, stderr holds the object alone, as stdout does for the file form (reviewer: the summary followed).
        #expect(lines.count == 1, "\(piped.stderr)")
        let plain = try Self.run("export events - --index exhunt-ex01 --filter '--server EX02 --limit 4'", shell, out)
        #expect(plain.stderr.hasPrefix("wrote 4 events to standard output (bulk NDJSON for index exhunt-ex01)"), "\(plain.stderr)")
        // `set output json` sends the object to stderr too, and the default format needs no --format.
        try shell.execute("set output json")
        let json = try Self.run("export events - --filter '--server EX02 --limit 1'", shell, out)
        #expect(json.stdout.split(separator: "\n").count == 2 && json.stderr.hasPrefix("{\"file\":\"-\""), "\(json.stderr)")
    }

    @Test func findingsNeedAFormatAndTheProvenanceGoesWhereItIsTold() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        func failure(_ line: String) -> String {
            do { try shell.execute(line); return "" } catch { return "\(error)" }
        }
        let before = out.stdout
        #expect(failure("export timeline -") == "export timeline: standard output (-) has no name to tell the format: give --format csv or jsonl")
        #expect(failure("export findings -") == "export findings: standard output (-) has no name to tell the format: give --format ndjson or jsonl or csv")
        #expect(failure("export timeline - --format ndjson") == "export timeline: --format ndjson is not a format it writes: csv or jsonl")
        #expect(failure("export timeline \(dir.path)/t.csv --format jsonl").contains("--format jsonl disagrees with the file's .csv"))
        #expect(failure("export findings - --format csv --index x").contains("--index names the index of a bulk request, written as NDJSON only"))
        #expect(failure("export events - --force").hasPrefix("export events: --force replaces an existing file, and standard output (-) is none"))
        #expect(failure("export events \(dir.path)/e.ndjson --provenance \(dir.path)/e.provenance.json").contains("--provenance is for standard output (-)"))
        #expect(failure("export findings - --format csv --provenance \(dir.path)/p.json").contains("the name must end in .provenance.json"))
        #expect(out.stdout == before, "a refused export writes nothing")
        let provenance = dir.appendingPathComponent("f.provenance.json")
        let csv = try Self.run("export findings - --format csv --provenance \(provenance.path)", shell, out)
        #expect(csv.stdout.hasPrefix("message,datetime,timestamp_desc,timestamp,server,finding,rule,title,severity,cves,summary,events,cites,tag\n"))
        #expect(csv.stderr.contains("; provenance in \(provenance.path)\n"), "\(csv.stderr)")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: provenance)) as? [String: Any])
        #expect(written["exhunt"] != nil && written["evidence_files"] != nil)
        #expect(failure("export findings - --format csv --provenance \(provenance.path)").contains("exists (--force to overwrite)"))
        try shell.execute("export findings - --format csv --provenance \(provenance.path) --force")
    }

    /// A write of standard output that fails (a full disk, a closed descriptor) fails the export: its error named,
    /// no summary, no provenance file (reviewer: `> /dev/full` read "wrote 4686 events to standard output").
    @Test func aFailedWriteFailsTheExport() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        out.writeError = ENOSPC
        let provenance = dir.appendingPathComponent("full.provenance.json")
        let before = out.stderr.count
        var message = ""
        do { try shell.execute("export timeline - --format csv --provenance \(provenance.path) --json") } catch { message = "\(error)" }
        #expect(message == "export timeline: cannot write to standard output: No space left on device; the export is incomplete")
        #expect(!String(out.stderr.dropFirst(before)).contains("wrote"), "\(out.stderr.dropFirst(before))")
        #expect(!FileManager.default.fileExists(atPath: provenance.path))
        out.writeError = EBADF
        #expect(throws: ShellError.self) { try shell.execute("export events -") }
        #expect(throws: ShellError.self) { try shell.execute("export findings - --format ndjson") }
    }

    /// Standard output redirected to a loaded evidence file, or into a loaded set, is refused as the file form is,
    /// before a row is written (reviewer: `>> ap/EX01/HttpProxy/…LOG` appended the export to a loaded log).
    @Test func aRedirectIntoTheEvidenceIsRefused() throws {
        let (shell, out, dir) = try Self.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        func failure(_ line: String) -> String {
            do { try shell.execute(line); return "" } catch { return "\(error)" }
        }
        let loaded = try #require(shell.session.store.files.first?.location)
        out.regularFilePath = URL(fileURLWithPath: loaded).standardizedFileURL.path
        let before = out.stdout
        #expect(failure("export timeline - --format csv").hasSuffix(" is loaded evidence; evidence is never written"))
        out.regularFilePath = URL(fileURLWithPath: TimelineCommandTests.training).appendingPathComponent("new.csv").path
        #expect(failure("export events -").contains("is inside the evidence set"))
        #expect(out.stdout == before, "nothing written")
        // Near miss: a file outside the evidence is written.
        out.regularFilePath = dir.appendingPathComponent("out.csv").path
        #expect(failure("export timeline - --format csv --filter '--limit 1'") == "")
        #expect(out.stdout.count > before.count)
    }

    /// Tab offers every target's formats after `--format`.
    @Test func formatCompletes() {
        let session = Session(output: CapturedOutput(), help: ShellHarness.help)
        #expect(Completer(session: session).complete("export timeline - --format ") == ["csv", "jsonl", "ndjson"])
    }
}

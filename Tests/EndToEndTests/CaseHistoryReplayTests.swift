import Foundation
import Testing

/// A session typed into the real binary with a case open is exported from the case's audit log with
/// `case history --as-script` and replayed with `exhunt -f`: the same output, sourced lines run once.
@Suite struct CaseHistoryReplayTests {
    @Test func auditLogReplaysAsACommandFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-hist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inner = dir.appendingPathComponent("inner.exh").path
        try "sources --server EX02\nshow 4000\n".write(toFile: inner, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("history.exh").path
        let typed = """
            case new \(dir.appendingPathComponent("a.case").path)
            load demo
            source \(inner)
            show nothing-here
            timeline --ip 167.99.168.251 --limit 3
            grep-ioc --type ip --hits
            case history --as-script \(script)

            """
        let live = try ExhuntProcess.run(["--keep-going"], stdin: typed)
        #expect(live.status == 1, "one typed command failed")
        let replay = try ExhuntProcess.run(["-f", script])
        #expect(replay.status == 0, "the failed command is a comment in the file: \(replay.stderr)")
        // The live output less what the two case-file commands printed.
        let expected = live.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("created case ") && !$0.hasPrefix("wrote 4 commands to ") }.joined(separator: "\n")
        #expect(replay.stdout == expected)
        let text = try String(contentsOfFile: script, encoding: .utf8)
        #expect(!text.contains("\nsources --server EX02\n"), "a sourced line is run by its source line only")
        #expect(text.contains("\n# show nothing-here\n"))
        #expect(!text.contains("marks and notes"), "no mark or note in it: no word about the case it writes to")
    }
}

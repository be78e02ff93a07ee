import Foundation
import Testing

/// A session typed into the real binary on stdin is recorded, replayed with `exhunt -f`, and both outputs compared.
@Suite struct RecordReplayTests {
    @Test func stdinSessionRecordsAndReplays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("case.exh").path
        let typed = """
            record start \(file)
            load demo
            set timezone Europe/Amsterdam
            sources --server EX02
            show 4000
            show nothing-here
            set EV 1200
            show $EV --json; set
            record stop

            """
        let live = try ExhuntProcess.run(["--keep-going"], stdin: typed)
        #expect(live.status == 1, "one typed command failed")
        #expect(live.stderr.contains("recorded 8 command(s)"), "each command of a line on its own: \(live.stderr)")
        let replay = try ExhuntProcess.run(["-f", file])
        #expect(replay.status == 0, "the failed command is a comment in the file: \(replay.stderr)")
        #expect(replay.stdout == live.stdout)
        let recorded = try String(contentsOfFile: file, encoding: .utf8)
        #expect(recorded.contains("\n# show nothing-here\n"))
        #expect(recorded.contains("\nshow $EV --json\n#") && recorded.contains("\nset\n#"), "each command of the line recorded on its own")
    }
}

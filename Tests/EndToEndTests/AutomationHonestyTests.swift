import Foundation
import Testing

/// Scripts that forgot their evidence fail instead of looking clean: the commands that judge evidence and
/// `--fail-on` exit 1 with nothing loaded, and a recording names the evidence loaded before it started.
@Suite struct AutomationHonestyTests {
    @Test func nothingLoadedIsAnError() throws {
        for command in ["hunt", "hunt --json", "grep-ioc", "timeline", "report /tmp/exhunt-never.md", "export timeline /tmp/exhunt-never.jsonl"] {
            let r = try ExhuntProcess.run(["-c", command])
            #expect(r.status == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("nothing loaded; 'load PATH' or 'load demo' first"), "\(command): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(command): no result that looks like a clean server: \(r.stdout)")
        }
        let gate = try ExhuntProcess.run(["-c", "sources", "--fail-on", "high"])
        #expect(gate.status == 1)
        #expect(gate.stderr.contains("--fail-on high: nothing loaded"), "\(gate.stderr)")
    }

    /// Commands on one line are commands of their own: with --keep-going the rest of the line runs after a
    /// failure, and the failure is reported alone; -c and -f together are refused, not one of them dropped.
    @Test func keepGoingRunsTheRestOfALine() throws {
        let r = try ExhuntProcess.run(["--keep-going", "-c", "bogus; info; nope; info --json"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("evidence sets: none") && r.stdout.contains("\"evidence_sets\""), "\(r.stdout)")
        #expect(r.stderr.components(separatedBy: "error: ").count - 1 == 2, "\(r.stderr)")
        let stop = try ExhuntProcess.run(["-c", "bogus; info"])
        #expect(stop.status == 1 && stop.stdout.isEmpty, "without --keep-going the line stops at the failure")
        let second = try ExhuntProcess.run(["--keep-going", "-c", "info", "-c", "bogus"])
        #expect(second.stderr.contains("error: -c#2:1: "), "the failing -c argument is named: \(second.stderr)")
        let both = try ExhuntProcess.run(["-c", "info", "-f", "/dev/null"])
        #expect(both.status != 0 && both.stderr.contains("give -c or -f, not both"), "\(both.stderr)")
    }

    @Test func recordingNamesTheEvidenceLoadedBefore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.exh")
        let r = try ExhuntProcess.run(["-c", "load demo; set A 1", "-c", "load /no/such/place", "--keep-going",
                                       "-c", "record start \(file.path)", "-c", "hunt --min-severity critical", "-c", "record stop"])
        #expect(r.status == 1, "the failed load: \(r.stderr)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("# evidence loaded before recording started; remove the '# ' to load it when replaying:\n# load demo\n"), "\(text)")
        #expect(!text.contains("/no/such/place"), "a load that failed is not named")
        // As recorded, the replay has no evidence and says so; with the load enabled it runs.
        let bare = try ExhuntProcess.run(["-f", file.path])
        #expect(bare.status == 1 && bare.stderr.contains("hunt: nothing loaded"), "\(bare.stderr)")
        try text.replacingOccurrences(of: "\n# load demo\n", with: "\nload demo\n").write(to: file, atomically: true, encoding: .utf8)
        let enabled = try ExhuntProcess.run(["-f", file.path])
        #expect(enabled.status == 0, "\(enabled.stderr)")
        #expect(enabled.stdout.contains("CRITICAL"))
    }
}

import Foundation
import Testing

/// `mark` with no case open writes `./exhunt.case`; a later run's `unmark` finds it there, and with no such file
/// says so instead of failing on "no case is open" alone.
@Suite struct DefaultCaseTests {
    @Test func unmarkUsesTheCaseMarkCreated() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-default-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try ExhuntProcess.run(["-c", "load demo --quiet; unmark 0"], directory: dir)
        #expect(none.status == 1 && none.stderr.contains("there is no ./exhunt.case"), "\(none.stderr)")
        let marked = try ExhuntProcess.run(["-c", "load demo --quiet; mark 0 as malicious"], directory: dir)
        #expect(marked.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("exhunt.case").path))
        let unmarked = try ExhuntProcess.run(["-c", "load demo --quiet; unmark 0"], directory: dir)
        #expect(unmarked.status == 0 && unmarked.stderr.contains("unmarked 1 event"), "\(unmarked.stderr)")
    }

    /// A `./exhunt.case` an earlier investigation left: a new one that marks is told the case holds marks on
    /// evidence not loaded, and its report assesses only the servers it loaded (reviewer: another investigation's
    /// server was reported compromised, with remediation steps for it).
    @Test func anEarlierInvestigationsMarksDecideNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-default-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let training = ExhuntProcess.repoRoot.appendingPathComponent("help/training")
        let first = try ExhuntProcess.run(["-c", "load '\(training.path)/EX01' --quiet; hunt; mark finding F1 as malicious"], directory: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try ExhuntProcess.run(["-c", "load '\(training.path)/EX02' --quiet; hunt; mark finding F1 as reviewed; report r.md"],
                                           directory: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("it holds 1 mark on evidence not loaded now (EX01), perhaps another investigation's"), "\(second.stderr)")
        #expect((second.stdout + second.stderr).contains("wrote r.md: EX02 not enough coverage"), "\(second.stdout)")
        let report = try String(contentsOf: dir.appendingPathComponent("r.md"), encoding: .utf8)
        #expect(report.contains("(not loaded: no verdict)") && !report.contains("| EX01 | **compromised**"))
    }
}

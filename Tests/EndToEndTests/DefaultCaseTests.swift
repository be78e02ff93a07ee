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
}

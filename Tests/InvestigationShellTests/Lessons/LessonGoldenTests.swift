import Foundation
import Testing
@testable import InvestigationShell

/// Every lesson in `help/lessons/` is followed the way a learner following the hints would (each step's
/// `try` commands, then `next`) on the training evidence; it must reach the end, and the transcript must match
/// its golden file. Lessons that use commands not registered in this build are skipped, naming them.
@Suite(.serialized) struct LessonGoldenTests {
    static var lessonFiles: [String] {
        let folder = ShellHarness.repoRoot.appendingPathComponent("help/lessons")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
    }

    /// The command file a learner following the lesson types.
    static func walkthrough(_ lesson: Lesson) -> [String] {
        ["lesson \(lesson.number)"] + lesson.steps.flatMap { $0.tries + ["next"] }
    }

    @Test func thereAreAtLeastThreeLessons() {
        #expect(Self.lessonFiles.count >= 3)
    }

    @Test(arguments: lessonFiles) func followingTheHintsReachesTheEnd(_ file: String) throws {
        let url = ShellHarness.repoRoot.appendingPathComponent("help/lessons").appendingPathComponent(file)
        let lesson = try LessonParser.parse(try String(contentsOf: url, encoding: .utf8), file: file)
        let script = Self.walkthrough(lesson)
        let checked = lesson.steps.flatMap { $0.checks.compactMap(\.queryCommand) }
        let missing = Golden.missingCommands(in: script + checked)
        if !missing.isEmpty { try Golden.skip("the golden test of lesson \(file)", missing: missing) }

        // `mark` opens ./exhunt.case when no case is open: give it one in a temporary folder instead.
        let folder = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let h = ShellHarness()
        let usesCase = Golden.missingCommands(in: ["case"]).isEmpty
        let setup = usesCase ? ["case new " + Tokenizer.quote(folder.appendingPathComponent("lesson.case").path)] : []
        let result = h.shell.runScript((setup + script).joined(separator: "\n"), name: file, echo: true, keepGoing: false)
        #expect(result.failures == 0, "following the lesson failed: \(result.firstError ?? "")")
        #expect(h.out.stdout.contains("Lesson \(lesson.number) complete"))
        try Golden.check(Golden.normalize(h.out.combined, temporary: folder), "lessons/" + file.replacingOccurrences(of: ".md", with: ".txt"))
    }
}

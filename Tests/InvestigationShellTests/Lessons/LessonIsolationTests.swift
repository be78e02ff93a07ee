import Foundation
@testable import InvestigationShell
import Testing

/// A lesson runs beside the user's own work: its marks go to a case of its own, and its FILE:LINE event names
/// hold whatever other evidence was loaded first.
@Suite(.serialized) struct LessonIsolationTests {
    @Test func lessonOneLeavesTheUsersCaseAndEvidenceAlone() throws {
        let folder = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let h = ShellHarness()
        // Other evidence may not stand beside a lesson's training set (LessonRunTests.aLessonDoesNotJoinAnInvestigation).
        try h.shell.execute("load demo")
        try h.shell.execute("case new '\(folder.appendingPathComponent("mine.case").path)'")
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:6 as suspicious --note 'my own note'")
        let text = try String(contentsOf: ShellHarness.help.root!.appendingPathComponent("lessons/01-ssrf.md"), encoding: .utf8)
        let lesson = try LessonParser.parse(text, file: "01-ssrf.md")
        let result = h.shell.runScript(LessonGoldenTests.walkthrough(lesson).joined(separator: "\n"), name: "lesson", echo: false, keepGoing: false)
        #expect(result.failures == 0, "\(result.firstError ?? "")")
        #expect(h.out.stdout.contains("Lesson 1 complete"))
        #expect(h.out.stdout.contains("AnchorMailbox") && h.out.stdout.contains("ServerInfo~a]@EX01.contoso.local:444"))

        let state = CaseState.of(h.session)
        #expect(state.file?.path.hasSuffix("mine.case") == true, "the user's case is back")
        let marks = state.marks()
        #expect(marks.count == 1 && marks.first?.label == "suspicious" && marks.first?.note == "my own note")
    }

    @Test func exitGivesTheUsersCaseBack() throws {
        let folder = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let h = ShellHarness()
        try h.shell.execute("case new '\(folder.appendingPathComponent("mine.case").path)'")
        try h.shell.execute("lesson 1")
        let lessonCase = try #require(CaseState.of(h.session).file?.path)
        #expect(!lessonCase.hasSuffix("mine.case"))
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious")
        try h.shell.execute("exit")
        #expect(CaseState.of(h.session).file?.path.hasSuffix("mine.case") == true)
        #expect(CaseState.of(h.session).marks().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: lessonCase), "the lesson's case is in memory only")
        #expect(h.out.stdout.contains("your case \(folder.appendingPathComponent("mine.case").path) is open again."))
    }

    @Test func startingAnotherLessonSaysTheFirstIsLeft() throws {
        let h = ShellHarness()
        try h.shell.execute("lesson 1; lesson 2")
        #expect(h.out.stdout.contains("Left lesson 1 at step 1 of "))
        #expect(h.out.stdout.contains("and the marks made in it; 'lesson 1' starts it again.\n"))
    }

    @Test func theTrainingSetLoadedFromItsFolderCounts() throws {
        let h = ShellHarness()
        try h.shell.execute("load '\(ShellHarness.help.root!.appendingPathComponent("training").path)' --name mine")
        #expect(LessonRun.trainingLoaded(h.session))
        try h.shell.execute("lesson 1")
        #expect(h.session.loads.count == 1, "the lesson found the training set and did not load it again")
        try h.shell.execute("exit")
    }
}

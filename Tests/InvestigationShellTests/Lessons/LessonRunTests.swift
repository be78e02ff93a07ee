import Foundation
import Testing
@testable import InvestigationShell

/// `lesson`, `next`, `back`, `hint` and `exit` on a lesson written for the test, using only core commands.
@Suite struct LessonRunTests {
    /// A help folder holding one lesson; removed by the caller.
    static func helpFolder() throws -> URL {
        let root = ShellHarness.temporaryFolder()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("lessons"), withIntermediateDirectories: true)
        try "# help\n".write(to: root.appendingPathComponent("help.md"), atomically: true, encoding: .utf8)
        try LessonParserTests.sample.write(to: root.appendingPathComponent("lessons/05-small.md"), atomically: true, encoding: .utf8)
        try "no front matter\n".write(to: root.appendingPathComponent("lessons/06-broken.md"), atomically: true, encoding: .utf8)
        return root
    }

    static func harness(_ root: URL) -> (CapturedOutput, Session, Shell) {
        let out = CapturedOutput()
        let session = Session(output: out, help: HelpLibrary(root: root))
        return (out, session, Shell(session: session))
    }

    @Test func listsLessonsAndReportsBrokenFiles() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, _, shell) = Self.harness(root)
        try shell.execute("lesson")
        #expect(out.stdout == "  5  small  A small lesson (2 steps)\n     one line\n"
                + "Start one with 'lesson NAME' or 'lesson N'; 'help lessons/NAME' reads one without starting it.\n")
        #expect(out.stderr.contains("warning: help/lessons/06-broken.md: the front matter needs 'title:'"))
        try shell.execute("lesson --json")
        #expect(out.stdout.contains("\"name\": \"small\""))
    }

    @Test func nextChecksTheStepBeforeMovingOn() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, session, shell) = Self.harness(root)
        #expect(session.prompt == "exhunt> ")
        try shell.execute("lesson small")
        #expect(out.stdout.contains("Lesson 5: A small lesson\n\nIntroduction text.\n"))
        #expect(out.stdout.contains("── Lesson 5 · step 1 of 2: First step\n\nExplanation with `code`.\n\nTry:\n    set A 1\n"))
        #expect(session.prompt == "exhunt (lesson 5, step 1/2)> ")

        // Nothing done yet: every task is named. The lesson's own text does not count as output.
        let first = "\(#expect(throws: ShellError.self) { try shell.execute("next") }!)"
        #expect(first.contains("run 'set A'"), "the pattern is named as the command it asks for")
        #expect(first.contains("run a command whose output shows what this step is after"))
        #expect(first.contains("get to the state this step asks for") && first.contains("mark the event this step asks about"))
        #expect(!first.contains("timezone") && !first.contains("167.99.168.251"), "the step's answers are left to 'hint'")

        try shell.execute("set A 1")
        try shell.execute("set")
        try shell.execute("hint")
        #expect(out.stdout.contains("Type it.\nTry: set A 1\nStill to do: mark an event with ClientIpAddress=167.99.168.251\n"))
        #expect(throws: ShellError.self) { try shell.execute("next") }
        try shell.execute("next --skip")
        #expect(session.prompt == "exhunt (lesson 5, step 2/2)> ")
        try shell.execute("hint")
        #expect(out.stdout.hasSuffix("This step has no command to type: read it, then type 'next'.\n"), "no 'Try:' to point to")
        try shell.execute("back")
        #expect(session.prompt == "exhunt (lesson 5, step 1/2)> ")
        let again = "\(#expect(throws: ShellError.self) { try shell.execute("next") }!)"
        #expect(again.contains("run 'set A'"), "going back starts the step afresh")
        try shell.execute("next --skip; next")
        #expect(out.stdout.hasSuffix("Lesson 5 complete: A small lesson. The evidence stays loaded; the lesson's marks were in a case of its own, now closed; 'lesson' lists the others.\n"))
        #expect(session.prompt == "exhunt> ")
        #expect(throws: ShellError.self) { try shell.execute("next") }
        #expect(throws: ShellError.self) { try shell.execute("back") }
    }

    /// Help text and the learner's own notes are not the learner's output: reading a help page holding the word a
    /// step's `output` check looks for (or the lesson itself, with `help lessons/NAME`), or a note of it read back,
    /// answers nothing (reviewers).
    @Test func helpTextDoesNotAnswerAnOutputCheck() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try "# set\n\nThe timezone variable.\n".write(to: root.appendingPathComponent("set.md"), atomically: true, encoding: .utf8)
        let (out, _, shell) = Self.harness(root)
        try shell.execute("lesson small; help set; help lessons/small; note the timezone; note")
        #expect(out.stdout.contains("The timezone variable."))
        let still = "\(#expect(throws: ShellError.self) { try shell.execute("next") }!)"
        #expect(still.contains("run a command whose output shows what this step is after"))
    }

    @Test func exitLeavesTheLessonThenTheShell() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, session, shell) = Self.harness(root)
        try shell.execute("lesson 5")
        try shell.execute("exit")
        #expect(out.stdout.hasSuffix("Left lesson 5 at step 1 of 2; 'lesson 5' starts it again. The evidence stays loaded; no case is open, as before the lesson.\n"))
        #expect(!session.quitRequested)
        try shell.execute("exit")
        #expect(session.quitRequested)
    }

    /// A lesson on the training set does not start beside an investigation's evidence: the training servers could not
    /// be unloaded again and would be judged in that session's report (reviewer). With the training set loaded it starts.
    @Test func aLessonDoesNotJoinAnInvestigation() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let evidence = try ShellHarness.iisEvidence(["2021-03-03 03:41:00 10.0.10.12 GET /owa/ - 443 - 10.0.0.5 Mozilla/5.0 - 200 0 0 5"],
                                                    server: "MAIL01", in: dir)
        let t = TestShell()
        try t.run("load '\(evidence.path)'")
        #expect(t.failure("lesson 1").contains("whose servers would then stay beside 'ev' in this session's hunts and report; "
                                               + "start it in a shell of its own: exhunt --demo, then 'lesson 1'"))
        #expect(!LessonRun.trainingLoaded(t.session))
        // With the training set loaded too, the other set still refuses it (reviewer: 'load demo' first got round it).
        try t.run("load demo")
        #expect(t.failure("lesson 1").contains("beside 'ev' in this session's hunts and report"))
        let demo = TestShell()
        try demo.run("load demo")
        #expect(try demo.run("lesson 1").contains("step 1"))
        // Nor does other evidence join a running lesson.
        #expect(demo.failure("load '\(evidence.path)'").contains("a lesson is running on the training set; 'exit' it"))
        try demo.run("load demo")
    }

    /// Starting a lesson while one runs says the running one is left (or restarted), with its marks (instructor review:
    /// it was silent).
    @Test func startingAnotherLessonSaysTheFirstIsLeft() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, session, shell) = Self.harness(root)
        try shell.execute("lesson 5")
        #expect(!out.stdout.contains("Left lesson"), "nothing to leave the first time")
        try shell.execute("next --skip; lesson 5")
        #expect(out.stdout.contains("Lesson 5 starts again from step 1 (it was at step 2); the marks made in it are dropped.\n"))
        #expect(session.prompt == "exhunt (lesson 5, step 1/2)> ")
    }

    @Test func checksAreNotRecordedOrCountedAsTheLearnersCommands() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, _, shell) = Self.harness(root)
        let file = root.appendingPathComponent("rec.exh").path
        try shell.execute("record start \(file)")
        try shell.execute("lesson 5")
        try shell.execute("set A 1")
        _ = try? shell.execute("next")
        try shell.execute("record stop")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == ["lesson 5", "set A 1"])
    }

    @Test func jsonStepsCarryTheTryCommands() throws {
        let root = try Self.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, _, shell) = Self.harness(root)
        try shell.execute("lesson 5 --json")
        #expect(out.stdout.contains("\"step\": 1,\n  \"steps\": 2,"))
        #expect(out.stdout.contains("\"try\": [\n    \"set A 1\"\n  ],"))
        #expect(out.stdout.hasSuffix("\"loaded_training_set\": false,\n  \"left_lesson\": null\n}\n"), "evidence: none loads nothing")
    }

    /// A `ran` pattern is told as the command it asks for; one using more of the pattern language is quoted.
    @Test func ranPatternsReadAsCommands() {
        #expect(LessonCheck.command("^sources") == "sources")
        #expect(LessonCheck.command("^check-build.*--history") == "check-build … --history")
        #expect(LessonCheck.command("^mark ECPServer20210303-1\\.LOG:7\\b") == "mark ECPServer20210303-1.LOG:7")
        #expect(LessonCheck.command("^(hunt|timeline)") == nil)
    }
}

/// A lesson on the training set loads it once, also in JSON mode where the output stays one document.
@Suite struct LessonEvidenceTests {
    @Test func jsonStartLoadsTheTrainingSetQuietly() throws {
        let h = ShellHarness()
        try h.shell.execute("lesson 1 --json")
        #expect(h.session.loads.map(\.evidenceSet) == ["training"])
        #expect(h.out.stdout.hasPrefix("{\n  \"lesson\": 1,"))
        #expect(h.out.stdout.hasSuffix("\"loaded_training_set\": true,\n  \"left_lesson\": null\n}\n"))
        #expect(h.out.stdout.components(separatedBy: "\n{").count == 1, "one JSON document")
        try h.shell.execute("exit; lesson 2")
        #expect(h.session.loads.count == 1, "already loaded")
    }
}

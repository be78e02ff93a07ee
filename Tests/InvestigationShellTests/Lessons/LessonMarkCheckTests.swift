import Foundation
import Testing
@testable import InvestigationShell

/// Steps that ask for a mark are decided on the case (which event carries which label), not on the words typed.
@Suite(.serialized) struct LessonMarkCheckTests {
    /// The training lesson, started and skipped to `step` (1-based).
    static func lesson(_ number: Int, atStep step: Int) throws -> ShellHarness {
        let h = ShellHarness()
        try h.shell.execute("lesson \(number)")
        for _ in 1..<step { try h.shell.execute("next --skip") }
        return h
    }

    static func nextRefusal(_ h: ShellHarness) -> String {
        "\(#expect(throws: ShellError.self) { try h.shell.execute("next") }!)"
    }

    /// Lesson 3 step 4, with the events named by a longer path, a quoted full path and an event id.
    @Test func marksMadeWithAnyNameOfTheEventPass() throws {
        let h = try Self.lesson(3, atStep: 4)
        try h.shell.execute("mark ECP/Server/ECPServer20210303-1.LOG:7 as malicious")
        let ecp8 = try #require(try ShowCommand.event(at: "ECPServer20210303-1.LOG:8", in: h.session.store))
        let full = h.session.store.file(of: ecp8).path
        try h.shell.execute("mark \(Tokenizer.quote(full + ":8")) as malicious")
        let refusal = Self.nextRefusal(h)
        #expect(refusal.contains("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious"))
        #expect(!refusal.contains("ECPServer"), "both ECP events are marked")
        let ssrf = try #require(try ShowCommand.event(at: "Ecp/HttpProxy_2021030306-1.LOG:6", in: h.session.store))
        try h.shell.execute("mark \(ssrf) as malicious")
        try h.shell.execute("next")
        #expect(h.session.prompt == "exhunt (lesson 3, step 5/6)> ")
    }

    /// The label is part of the answer: a suspicious mark does not answer "mark it malicious".
    @Test func theLabelCounts() throws {
        let h = try Self.lesson(1, atStep: 5)
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:6 as suspicious")
        #expect(Self.nextRefusal(h).contains("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious (it is marked suspicious now)"))
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious")
        try h.shell.execute("next")
        #expect(h.session.prompt == "exhunt (lesson 1, step 6/6)> ")
    }

    /// Lesson 1 step 5 asks for the first request of the attack: another request from the same address is not
    /// it, and the learner who marked one is told which line they marked.
    @Test func anotherEventOfTheAttackerIsNotTheAnswer() throws {
        let h = try Self.lesson(1, atStep: 5)
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:7 as malicious")
        #expect(Self.nextRefusal(h).contains("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious (you marked line 7 of that file, "
                                             + "not the event this step asks for)"))
        try h.shell.execute("mark Ecp/HttpProxy_2021030306-1.LOG:9 as malicious; hint")
        #expect(h.out.stdout.contains("Still to do: mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious (you marked lines 7 and 9 of that file"))
    }

    /// Events another check of the step names are answers, not near misses.
    @Test func eventsTheStepAsksForAreNotNearMisses() throws {
        let h = try Self.lesson(3, atStep: 4)
        try h.shell.execute("mark ECPServer20210303-1.LOG:8 as malicious")
        let refusal = Self.nextRefusal(h)
        #expect(refusal.contains("to mark ECPServer20210303-1.LOG:7 as malicious."))
        #expect(!refusal.contains("you marked"))
    }
}

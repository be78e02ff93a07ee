import Foundation
import Testing
@testable import InvestigationShell

/// `help lessons` and `help lessons/NAME`: the lessons by the names `lesson` takes, to read without the
/// answers.
@Suite struct LessonHelpTests {
    @Test func readingALessonLeavesOutFrontMatterChecksAndHints() throws {
        let root = try LessonRunTests.helpFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (out, session, shell) = LessonRunTests.harness(root)
        try shell.execute("help lessons/small")
        #expect(out.stdout == """
            # Lesson 5: A small lesson

            One line.

            Start it with `lesson small` (or `lesson 5`): `next` checks each step, `hint` helps.

            Introduction text.

            ## Step 1 of 2: First step

            Explanation with `code`.

            Try:

                set A 1

            ## Step 2 of 2: Last step

            Only text.

            """)
        for answer in ["title:", "evidence:", "---", "ran ^set", "167.99.168.251", "Type it.", "```"] {
            #expect(!out.stdout.contains(answer), "\(answer)")
        }
        // The number and the file name lead to the same text; reading starts nothing.
        let before = out.stdout.count
        try shell.execute("help lessons/5")
        try shell.execute("help lessons/05-small")
        #expect(String(out.stdout.dropFirst(before)) == String(out.stdout.prefix(before)) + String(out.stdout.prefix(before)))
        #expect(session.prompt == "exhunt> ")
        // The list names the lesson as `lesson` does, and the file that did not read.
        let list = try #require(session.help.text("lessons"))
        #expect(list.contains("\n      5  small  A small lesson (2 steps)\n         one line\n"))
        #expect(list.hasSuffix("Not listed:\n\n- help/lessons/06-broken.md: the front matter needs 'title:'\n"))
    }

    @Test func theListAndTheTopicsUseTheNamesLessonTakes() throws {
        let t = TestShell()
        let names = try #require(JSONSerialization.jsonObject(with: Data(t.run("lesson --json").utf8)) as? [[String: Any]])
            .map { $0["name"] as! String }
        #expect(names == ["ssrf", "vdir-to-webshell", "exposure-and-report"])
        let list = try t.run("help lessons")
        #expect(list.hasPrefix("# Lessons\n"))
        #expect(list.contains("`lesson NAME` (or `lesson N`) starts one"))
        #expect(list.contains("      1  ssrf                 Finding the SSRF (CVE-2021-26855) (6 steps)\n"))
        #expect(try t.run("lesson").contains("  1  ssrf                 Finding the SSRF (CVE-2021-26855) (6 steps)\n"))
        let topics = t.session.help.topics().filter { $0.hasPrefix("lessons") }
        #expect(topics == ["lessons"] + names.map { "lessons/" + $0 }.sorted())
        for name in names {
            #expect(try t.run("help lessons/\(name)").contains("Start it with `lesson \(name)`"))
        }
        #expect(try t.run("help").contains("Lessons: help lessons lists them, help lessons/NAME reads one, lesson NAME starts it."))
        #expect(t.failure("help lessons/nosuch") == "no lesson 'nosuch'; 'lesson' lists them")
        #expect(try t.run("help lessons/SSRF") == t.run("help lessons/ssrf"), "a lesson's name is found in any case")
        #expect(Completer(session: t.session).complete("help lessons/s") == ["lessons/ssrf"])
    }
}

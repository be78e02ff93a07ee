import Testing
@testable import InvestigationShell

/// The lesson file format: front matter, introduction, steps with try, check and hint blocks; errors name
/// the file and line.
@Suite struct LessonParserTests {
    static let sample = """
        ---
        title: A small lesson
        summary: one line
        evidence: none
        ---

        # A small lesson

        Introduction text.

        ## First step

        Explanation with `code`.

        ```try
        set A 1
        ```

        ```check
        # a comment
        ran ^set A
        output timezone
        query set --json => "A": "1"
        marked ClientIpAddress=167.99.168.251
        ```

        ```hint
        Type it.
        ```

        ## Last step

        Only text.
        """

    @Test func parsesEveryPart() throws {
        let l = try LessonParser.parse(Self.sample, file: "help/lessons/07-small.md")
        #expect(l.number == 7 && l.name == "small")
        #expect(l.title == "A small lesson" && l.summary == "one line" && l.evidence == "none")
        #expect(l.introduction == "Introduction text.")
        #expect(l.steps.count == 2)
        #expect(l.steps[0].title == "First step")
        #expect(l.steps[0].text == "Explanation with `code`.")
        #expect(l.steps[0].tries == ["set A 1"])
        #expect(l.steps[0].checks == [.ran("^set A"), .output("timezone"), .query(command: "set --json", expect: "\"A\": \"1\""),
                                      .marked(field: "ClientIpAddress", value: "167.99.168.251")])
        #expect(l.steps[0].hint == "Type it.")
        #expect(l.steps[1].checks.isEmpty && l.steps[1].text == "Only text.")
        #expect(LessonCheck.marked(field: "ClientIpAddress", value: "1.2.3.4").queryCommand
                == "timeline --marked --field ClientIpAddress=1.2.3.4 --json")
    }

    @Test(arguments: [
        ("---\nsummary: x\n---\n## s\n", "f.md: the front matter needs 'title:'"),
        ("---\ntitle: t\n## s\n", "f.md:1: front matter has no closing ---"),
        ("---\ntitle: t\n---\nintro only\n", "f.md: a lesson needs at least one step ('## title')"),
        ("---\ntitle: t\n---\n## s\n```check\nran [\n```\n", "f.md:6: not a regular expression: ["),
        ("---\ntitle: t\n---\n## s\n```check\nseen x\n```\n", "f.md:6: unknown check 'seen' (ran, output, query, marked)"),
        ("---\ntitle: t\n---\n## s\n```check\nquery hunt\n```\n", "f.md:6: query is 'query COMMAND => TEXT'"),
        ("---\ntitle: t\n---\n## s\n```check\nmarked x.LOG:6 as bad\n```\n", "f.md:6: 'bad' is not a mark label (malicious, suspicious, benign, reviewed)"),
        ("---\ntitle: t\n---\n## s\n```check\nmarked x.LOG as malicious\n```\n", "f.md:6: marked names the event as FILE:LINE, not 'x.LOG'"),
        ("---\ntitle: t\n---\n## s\n```check\nmarked x.LOG:6\n```\n", "f.md:6: marked is 'marked FILE:LINE as LABEL' or 'marked FIELD=VALUE'"),
        ("---\ntitle: t\n---\n## s\n```try\nx\n", "f.md:5: ```try block is not closed"),
        ("---\ntitle: t\nevidence: /cases\n---\n## s\n", "f.md: evidence is 'demo' or 'none', not '/cases'"),
    ])
    func badFilesNameFileAndLine(_ text: String, _ message: String) {
        let name = message.hasPrefix("f.md") ? "01-f.md" : "x.md"
        #expect(throws: ShellError(message.replacingOccurrences(of: "f.md", with: name))) {
            try LessonParser.parse(text, file: name)
        }
    }

    /// `marked FILE:LINE as LABEL` names one event; its path may be quoted, the label written in any case.
    @Test func markedNamesAnEventAndItsLabel() throws {
        #expect(try LessonParser.parseCheck("marked \"EX01/Logs/OAB log.LOG:4\" AS Malicious", at: "f.md:1")
                == .markedEvent("EX01/Logs/OAB log.LOG:4", label: "malicious"))
        #expect(LessonCheck.markedEvent("ECPServer20210303-1.LOG:7", label: "malicious").task == "mark ECPServer20210303-1.LOG:7 as malicious")
    }

    @Test func fileNameNeedsANumber() {
        #expect(throws: ShellError.self) { try LessonParser.parse(Self.sample, file: "ssrf.md") }
    }

    @Test func shippedLessonsAllParse() {
        let (lessons, problems) = LessonLibrary(help: ShellHarness.help).load()
        #expect(problems.isEmpty)
        #expect(lessons.map(\.number) == [1, 2, 3])
        for l in lessons {
            #expect(l.steps.count >= 4, "\(l.file)")
            #expect(l.steps.dropLast().allSatisfy { !$0.tries.isEmpty && !$0.checks.isEmpty && !$0.hint.isEmpty }, "\(l.file)")
        }
    }
}

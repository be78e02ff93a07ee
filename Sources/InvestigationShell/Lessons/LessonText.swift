/// How a lesson appears on screen and in JSON; shared by `lesson`, `next`, `back` and `hint`.
enum LessonText {
    static func introduction(_ lesson: Lesson) -> String {
        var out = "Lesson \(lesson.number): \(lesson.title)\n"
        if !lesson.introduction.isEmpty { out += "\n" + lesson.introduction + "\n" }
        return escapeLines(out)
    }

    static func step(_ lesson: Lesson, _ index: Int) -> String {
        let s = lesson.steps[index]
        var out = "\n── Lesson \(lesson.number) · step \(index + 1) of \(lesson.steps.count): \(s.title)\n"
        if !s.text.isEmpty { out += "\n" + s.text + "\n" }
        if !s.tries.isEmpty { out += "\nTry:\n" + s.tries.map { "    " + $0 + "\n" }.joined() }
        out += index + 1 < lesson.steps.count
            ? "\nThen type 'next'. ('hint' helps, 'back' goes back, 'exit' leaves the lesson.)\n"
            : "\nType 'next' to finish the lesson.\n"
        return escapeLines(out)
    }

    static func json(_ lesson: Lesson, _ index: Int, extra: [(String, JSONValue)] = []) -> JSONValue {
        let s = lesson.steps[index]
        return .object([("lesson", .int(lesson.number)), ("name", .string(lesson.name)), ("title", .string(lesson.title)),
                        ("step", .int(index + 1)), ("steps", .int(lesson.steps.count)), ("step_title", .string(s.title)),
                        ("text", .string(s.text)), ("try", .strings(s.tries)), ("completed", .bool(false))] + extra)
    }

    /// The list `lesson` and `help lessons` show: number, the name both accept, title, steps, and the summary.
    static func rows(_ lessons: [Lesson]) -> [String] {
        let width = lessons.map(\.name.count).max() ?? 0
        return lessons.flatMap { l in
            let number = String(l.number)
            let row = String(repeating: " ", count: max(0, 3 - number.count)) + number + "  "
                + l.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(l.title) (\(l.steps.count) steps)"
            return [escapeLines(row)] + (l.summary.isEmpty ? [] : [escapeLines("     " + l.summary)])
        }
    }

    /// `help lessons`: the lessons as `lesson` lists them, how to start or read one, and the files that did
    /// not read (as `lesson` warns of them).
    static func index(_ lessons: [Lesson], problems: [String]) -> String {
        var out = "# Lessons\n\nGuided lessons on the training evidence. `lesson NAME` (or `lesson N`) starts one; "
            + "`help lessons/NAME` reads it without starting it.\n\n"
        out += lessons.isEmpty ? "No lessons found (they are the files in `help/lessons/`).\n" : rows(lessons).map { "    " + $0 + "\n" }.joined()
        if !problems.isEmpty { out += "\nNot listed:\n\n" + problems.map { "- " + escapeLines($0) + "\n" }.joined() }
        return out
    }

    /// `help lessons/NAME`: the lesson to read before or after doing it: the introduction and each step's text
    /// and commands, without the checks and hints that give the answers away.
    static func reading(_ lesson: Lesson) -> String {
        var out = "# Lesson \(lesson.number): \(lesson.title)\n\n"
        if !lesson.summary.isEmpty { out += lesson.summary.prefix(1).uppercased() + lesson.summary.dropFirst() + ".\n\n" }
        out += "Start it with `lesson \(lesson.name)` (or `lesson \(lesson.number)`): `next` checks each step, `hint` helps.\n"
        if !lesson.introduction.isEmpty { out += "\n" + lesson.introduction + "\n" }
        for (i, s) in lesson.steps.enumerated() {
            out += "\n## Step \(i + 1) of \(lesson.steps.count): \(s.title)\n"
            if !s.text.isEmpty { out += "\n" + s.text + "\n" }
            if !s.tries.isEmpty { out += "\nTry:\n\n" + s.tries.map { "    " + $0 + "\n" }.joined() }
        }
        return escapeLines(out)
    }

    /// Lesson files are the instructor's, but they are files on disk: control characters are shown as
    /// escapes instead of reaching the terminal. Backslashes stay as written (Windows paths read naturally).
    static func escapeLines(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            if u != "\n" && TerminalText.isUnsafe(u) { out += "\\u{" + String(u.value, radix: 16) + "}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}

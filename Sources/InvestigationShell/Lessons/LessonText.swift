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

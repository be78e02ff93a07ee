import Foundation

/// Reads the lesson format, plain Markdown so instructors write lessons in any editor:
///
///     ---
///     title: Finding the SSRF
///     summary: one line for the list
///     evidence: demo
///     ---
///     Introduction…
///     ## Step title
///     Explanation…
///     ```try
///     hunt --rule proxylogon.ssrf
///     ```
///     ```check
///     ran ^hunt
///     ```
///     ```hint
///     Type …
///     ```
///
/// Errors name the file and line.
public enum LessonParser {
    public static func parse(_ text: String, file: String) throws -> Lesson {
        let base = (file as NSString).lastPathComponent
        let stem = base.hasSuffix(".md") ? String(base.dropLast(3)) : base
        let digits = stem.prefix { $0.isNumber }
        guard let number = Int(digits) else {
            throw ShellError("\(file): a lesson file is named NN-name.md (e.g. 01-ssrf.md)")
        }
        var name = String(stem.dropFirst(digits.count))
        if name.hasPrefix("-") { name.removeFirst() }

        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        var meta: [String: String] = [:]
        var lineNo = 0
        if lines.first == "---" {
            guard let end = lines.dropFirst().firstIndex(of: "---") else { throw ShellError("\(file):1: front matter has no closing ---") }
            for (i, l) in lines[1..<end].enumerated() where !l.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let colon = l.firstIndex(of: ":") else { throw ShellError("\(file):\(i + 2): front matter lines are 'key: value'") }
                meta[l[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            lineNo = end + 1
            lines = Array(lines[(end + 1)...])
        }
        guard let title = meta["title"], !title.isEmpty else { throw ShellError("\(file): the front matter needs 'title:'") }
        let evidence = meta["evidence"] ?? "demo"
        guard evidence == "demo" || evidence == "none" else { throw ShellError("\(file): evidence is 'demo' or 'none', not '\(evidence)'") }

        var intro: [String] = []
        var steps: [LessonStep] = []
        var current: LessonStep?
        var text: [String] = []
        var block: (kind: String, start: Int, lines: [String])?
        func finishStep() {
            guard var s = current else { intro = text; text = []; return }
            s.text = trimBlank(text).joined(separator: "\n")
            steps.append(s)
            text = []
        }
        for (offset, l) in lines.enumerated() {
            let n = lineNo + offset + 1
            if var b = block {
                if l.trimmingCharacters(in: .whitespaces) == "```" {
                    block = nil
                    guard current != nil else { throw ShellError("\(file):\(b.start): a ```\(b.kind) block belongs inside a step (after '## title')") }
                    switch b.kind {
                    case "try": current!.tries += b.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    case "hint": current!.hint = trimBlank(b.lines).joined(separator: "\n")
                    default:
                        for (i, c) in b.lines.enumerated() {
                            if let check = try parseCheck(c, at: "\(file):\(b.start + i + 1)") { current!.checks.append(check) }
                        }
                    }
                } else {
                    b.lines.append(l)
                    block = b
                }
                continue
            }
            if l.hasPrefix("```") {
                let kind = l.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if ["try", "check", "hint"].contains(kind) { block = (kind, n, []); continue }
            }
            if l.hasPrefix("## ") {
                finishStep()
                current = LessonStep(title: l.dropFirst(3).trimmingCharacters(in: .whitespaces), text: "", tries: [], checks: [], hint: "")
                continue
            }
            if l.hasPrefix("# ") && current == nil && intro.isEmpty && text.allSatisfy({ $0.isEmpty }) { continue }  // the document title
            text.append(l)
        }
        if let b = block { throw ShellError("\(file):\(b.start): ```\(b.kind) block is not closed") }
        finishStep()
        guard !steps.isEmpty else { throw ShellError("\(file): a lesson needs at least one step ('## title')") }
        return Lesson(number: number, name: name, title: title, summary: meta["summary"] ?? "", evidence: evidence,
                      introduction: trimBlank(intro).joined(separator: "\n"), steps: steps, file: file)
    }

    /// One line of a `check` block; nil for blank lines and comments.
    static func parseCheck(_ raw: String, at place: String) throws -> LessonCheck? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return nil }
        let (word, rest) = line.firstIndex(of: " ").map { (String(line[..<$0]), line[$0...].trimmingCharacters(in: .whitespaces)) } ?? (line, "")
        guard !rest.isEmpty else { throw ShellError("\(place): '\(word)' needs an argument") }
        switch word {
        case "ran":
            do { _ = try NSRegularExpression(pattern: rest) } catch { throw ShellError("\(place): not a regular expression: \(rest)") }
            return .ran(rest)
        case "output":
            return .output(rest)
        case "query":
            guard let arrow = rest.range(of: "=>") else { throw ShellError("\(place): query is 'query COMMAND => TEXT'") }
            let command = rest[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)
            let expect = rest[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !command.isEmpty, !expect.isEmpty else { throw ShellError("\(place): query is 'query COMMAND => TEXT'") }
            return .query(command: command, expect: expect)
        case "marked":
            if let words = try? Tokenizer.commands(rest).first, words.count == 3, words[1].lowercased() == "as" {
                let label = words[2].lowercased()
                guard TimelineFilter.labels.contains(label) else {
                    throw ShellError("\(place): '\(words[2])' is not a mark label (\(TimelineFilter.labels.joined(separator: ", ")))")
                }
                guard MarkTargets.isLine(words[0]) else { throw ShellError("\(place): marked names the event as FILE:LINE, not '\(words[0])'") }
                return .markedEvent(words[0], label: label)
            }
            guard let eq = rest.firstIndex(of: "="), eq != rest.startIndex else {
                throw ShellError("\(place): marked is 'marked FILE:LINE as LABEL' or 'marked FIELD=VALUE'")
            }
            return .marked(field: String(rest[..<eq]), value: String(rest[rest.index(after: eq)...]))
        default:
            throw ShellError("\(place): unknown check '\(word)' (ran, output, query, marked)")
        }
    }

    static func trimBlank(_ lines: [String]) -> [String] {
        var l = lines[...]
        while l.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { l = l.dropFirst() }
        while l.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { l = l.dropLast() }
        return Array(l)
    }
}

import Foundation

/// The lessons in `help/lessons/`, read at run time so instructors add their own without rebuilding.
public struct LessonLibrary {
    public let folder: URL?

    public init(help: HelpLibrary) { folder = help.root?.appendingPathComponent("lessons") }

    /// Every lesson, by number, and a message for each file that could not be read (the rest still load).
    public func load() -> (lessons: [Lesson], problems: [String]) {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return ([], []) }
        var lessons: [Lesson] = []
        var problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".md") {
            let url = folder.appendingPathComponent(name)
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                lessons.append(try LessonParser.parse(text, file: "help/lessons/" + name))
            } catch {
                problems.append("\(error)")
            }
        }
        return (lessons.sorted { ($0.number, $0.name) < ($1.number, $1.name) }, problems)
    }

    /// A lesson by number (`2`), name (`vdir-to-webshell`, or an unambiguous prefix of it) or file name
    /// (`02-vdir-to-webshell`, as instructors know it), case aside (`SSRF`).
    public func find(_ typed: String) throws -> Lesson {
        let (lessons, problems) = load()
        let word = typed.lowercased()
        if let n = Int(word), let l = lessons.first(where: { $0.number == n }) { return l }
        if let l = lessons.first(where: { $0.name.lowercased() == word || $0.file.lowercased().hasSuffix("/" + word + ".md") }) { return l }
        let prefixed = lessons.filter { $0.name.lowercased().hasPrefix(word) }
        if prefixed.count == 1 { return prefixed[0] }
        let broken = problems.first { $0.contains(word) }.map { "; that file has a problem: \($0)" } ?? ""
        throw ShellError("no lesson '\(TerminalText.escape(typed))'; 'lesson' lists them\(broken)")
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// The Markdown help files under `help/`: one per command (`help/load.md`), topic (`help/evidence-sets.md`),
/// rule (`help/rules/ID.md`) and lesson. They are read at run time so instructors can add topics
/// without rebuilding.
public struct HelpLibrary {
    /// The `help` folder, or nil when none was found.
    public let root: URL?

    /// Looks beside the binary (an install's `share/exhunt/help`, or the checkout around a `swift build`),
    /// then in `$EXHUNT_HOME`, then in the checkout exhunt was built from (`ProgramFolders`).
    public init(root: URL? = HelpLibrary.locate()) { self.root = root }

    public static func locate() -> URL? {
        ProgramFolders.homes.map { $0.appendingPathComponent("help") }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("help.md").path) }
    }

    /// The project folder holding `help/` (where the training evidence and scripts live).
    public var projectRoot: URL? { root?.deletingLastPathComponent() }

    /// The text of a topic (`load`, `rules/proxylogon.ssrf`, `lessons/ssrf`), or nil.
    public func text(_ topic: String) -> String? {
        guard let root, !topic.contains("..") else { return nil }
        if LessonHelp.isTopic(topic) { return try? LessonHelp.text(topic, in: self) }
        return try? String(contentsOf: root.appendingPathComponent(topic + ".md"), encoding: .utf8)
    }

    /// All topics, with sub-folders as `folder/name`; lessons by the names `lesson` accepts (`lessons/ssrf`).
    public func topics() -> [String] {
        guard let root, let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out = LessonHelp.topics(in: self)
        while let p = e.nextObject() as? String {
            if p.hasSuffix(".md") && !LessonHelp.isTopic(p) { out.append(String(p.dropLast(3))) }
        }
        return out.sorted()
    }

    /// Topics whose text mentions `word` (for `help --search WORD`, like gdb's `apropos`).
    public func search(_ word: String) -> [String] {
        topics().filter { text($0)?.localizedCaseInsensitiveContains(word) == true }
    }
}

import Foundation

/// The Markdown help files under `help/`: one per command (`help/load.md`), topic (`help/evidence-sets.md`),
/// rule (`help/rules/ID.md`) and lesson. They are read at run time so instructors can add topics
/// without rebuilding.
public struct HelpLibrary {
    /// The `help` folder, or nil when none was found.
    public let root: URL?

    /// Looks in `$EXHUNT_HOME/help`, then beside and above the executable (a source checkout),
    /// then above the current folder.
    public init(root: URL? = HelpLibrary.locate()) { self.root = root }

    public static func locate() -> URL? {
        let env = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let home = env["EXHUNT_HOME"] { candidates.append(URL(fileURLWithPath: home)) }
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        var cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            candidates.append(exe)
            candidates.append(cwd)
            exe.deleteLastPathComponent()
            cwd.deleteLastPathComponent()
        }
        for c in candidates {
            let help = c.appendingPathComponent("help")
            if FileManager.default.fileExists(atPath: help.appendingPathComponent("help.md").path) { return help }
        }
        return nil
    }

    /// The project folder holding `help/` (where the training evidence and scripts live).
    public var projectRoot: URL? { root?.deletingLastPathComponent() }

    /// The text of a topic (`load`, `rules/proxylogon.ssrf`), or nil.
    public func text(_ topic: String) -> String? {
        guard let root, !topic.contains("..") else { return nil }
        return try? String(contentsOf: root.appendingPathComponent(topic + ".md"), encoding: .utf8)
    }

    /// All topics, with sub-folders as `folder/name`.
    public func topics() -> [String] {
        guard let root, let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String { if p.hasSuffix(".md") { out.append(String(p.dropLast(3))) } }
        return out.sorted()
    }

    /// Topics whose text mentions `word` (for `help --search WORD`, like gdb's `apropos`).
    public func search(_ word: String) -> [String] {
        topics().filter { text($0)?.localizedCaseInsensitiveContains(word) == true }
    }
}

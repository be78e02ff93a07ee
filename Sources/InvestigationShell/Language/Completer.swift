import ExchangeEvidence
import Foundation

/// Tab completion: command names first, then the command's options, its declared words, help topics,
/// or file paths. Pure, so it is tested without a terminal.
public struct Completer {
    let session: Session

    public init(session: Session) { self.session = session }

    /// Candidates for the word being typed at the end of `lineBeforeCursor` (each a full replacement of that word).
    public func complete(_ lineBeforeCursor: String) -> [String] {
        let segment = lineBeforeCursor.split(separator: ";", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        let words = segment.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let endsWithSpace = segment.last == " "
        let current = endsWithSpace ? "" : (words.last ?? "")
        let position = endsWithSpace ? words.count : max(0, words.count - 1)
        let commands = session.registry.commands
        if position == 0 {
            return commands.flatMap { [$0.name] + $0.aliases }.filter { $0.hasPrefix(current) && !$0.hasPrefix(".") }.sorted()
        }
        guard let command = try? session.registry.find(words[0]) else { return [] }
        let options = command.options + Shell.commonOptions
        if current.hasPrefix("-") {
            return options.map { "--" + $0.name }.filter { $0.hasPrefix(current) }.sorted()
        }
        if position >= 2, let spec = options.first(where: { "--" + $0.name == words[position - 1] }), spec.kind != .flag {
            return (spec.choices.isEmpty ? values(of: spec.name) : spec.choices).filter { $0.hasPrefix(current) }
        }
        // The value of an option the command does not have: the line is already wrong, and its words would
        // read as that option's values (reviewer: `export … --server <Tab>` offered `timeline`).
        if position >= 2, words[position - 1].hasPrefix("--"), !options.contains(where: { "--" + $0.name == words[position - 1] }) {
            return []
        }
        switch command.completion {
        case .none: return []
        case .words(let list): return list.filter { $0.hasPrefix(current) }
        case .commandNames: return commands.map(\.name).filter { $0.hasPrefix(current) }
        case .helpTopics:
            return (commands.map(\.name) + session.help.topics()).filter { $0.hasPrefix(current) }.sorted()
                .reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        case .files: return files(current)
        case .wordsAndFiles(let list): return list.filter { $0.hasPrefix(current) } + files(current).filter { !list.contains($0) }
        }
    }

    /// Values an option takes from the session rather than a fixed list: the loaded servers for `--server`, the
    /// built-in and loaded rules for `--rule` (reviewer: neither completed).
    func values(of option: String) -> [String] {
        switch option {
        case "server": Set(session.store.files.map(\.server)).filter(Self.isTypable).sorted()
        case "rule": session.knownRuleIDs.filter(Self.isTypable).sorted()
        default: []
        }
    }

    /// A name is offered only when it can be typed and shown as it is: one with control or invisible characters
    /// would reach the terminal raw when inserted (reviewer: a file name's ESC turned the prompt red).
    static func isTypable(_ name: String) -> Bool { !ControlCharacters.hasUnsafe(name) }

    func files(_ partial: String) -> [String] {
        let expanded = (partial as NSString).expandingTildeInPath
        let dir: String, prefix: String, shown: String
        if partial.hasSuffix("/") { dir = expanded; prefix = ""; shown = partial }
        else if partial.contains("/") {
            dir = (expanded as NSString).deletingLastPathComponent
            prefix = (expanded as NSString).lastPathComponent
            shown = String(partial[...partial.lastIndex(of: "/")!])
        } else { dir = "."; prefix = partial; shown = "" }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "/" : dir) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) && Self.isTypable($0) }.sorted().map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &isDir)
            return shown + name + (isDir.boolValue ? "/" : "")
        }
    }
}

import ExchangeEvidence

/// `show EVENT_ID`: one event in full, every field named, plus where it came from.
struct ShowCommand: Command {
    var name: String { "show" }
    func readsEvidence(_ args: Arguments) -> Bool { true }
    var summary: String { "show one event in full: every field, the raw line, file, line and SHA-256" }
    var usage: String { "show EVENT_ID|FILE:LINE…" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard !args.positional.isEmpty else { throw ShellError("usage: \(usage)") }
        let store = ctx.session.store
        var docs: [JSONValue] = []
        for word in args.positional {
            let number = Int(word.hasPrefix("#") ? String(word.dropFirst()) : word)
            guard let id = try number ?? Self.event(at: word, in: store), id >= 0, id < store.count else {
                throw ShellError("show: no event '\(TerminalText.escape(word))' (events are numbered 0–\(max(0, store.count - 1)))")
            }
            let f = store.file(of: id)
            let fields = store.fields(of: id)
            if ctx.wantsJSON {
                docs.append(.object([
                    ("event", .int(id)), ("time", .time(store.time[id])), ("server", .string(f.server)), ("source", .string(f.kind.rawValue)),
                    ("channel", .string(f.channel)), ("file", .string(f.path)), ("line", .int(store.line(of: id))), ("sha256", .string(f.sha256)),
                    ("fields", .object(fields.map { ($0.name, .string($0.value)) })), ("raw", .string(store.rawLine(id))),
                ]))
                continue
            }
            ctx.line("event \(id)  \(ctx.session.displayTime(store.time[id]))  \(TerminalText.escape(f.server))  \(f.kind.rawValue)\(f.channel.isEmpty ? "" : "/" + TerminalText.escape(f.channel))")
            ctx.line("file  \(TerminalText.escape(f.path)):\(store.line(of: id))  sha256 \(f.sha256)")
            let width = min(28, fields.map(\.name.count).max() ?? 0)
            for (n, v) in fields where !v.isEmpty {
                ctx.line("  " + TerminalText.escape(n).padding(toLength: width, withPad: " ", startingAt: 0) + "  " + TerminalText.escape(v))
            }
            ctx.line("raw   " + store.withRawLine(id) { TerminalText.escape(bytes: $0) })
        }
        if ctx.wantsJSON { ctx.json(docs.count == 1 ? docs[0] : .array(docs)) }
    }
}
import Foundation

extension ShowCommand {
    /// The event at `FILE:LINE` (the form `hunt` and `sources --problems` print); FILE may be any unique
    /// ending of a loaded file's path. nil when the word is not of that form.
    static func event(at word: String, in store: EventStore) throws -> EventID? {
        guard let colon = word.lastIndex(of: ":"), let line = Int(word[word.index(after: colon)...]) else { return nil }
        let path = String(word[..<colon])
        let files = store.files.indices.filter { store.files[$0].path == path || store.files[$0].path.hasSuffix("/" + path) }
        guard files.count == 1 else {
            throw ShellError(files.isEmpty ? "show: no loaded file '\(TerminalText.escape(path))'"
                                           : "show: '\(TerminalText.escape(path))' matches \(files.count) files; give more of the path")
        }
        let f = UInt32(files[0])
        guard let id = store.fileIndex.indices.first(where: { store.fileIndex[$0] == f && Int(store.lineNumber[$0]) == line }) else {
            throw ShellError("show: no event at line \(line) of \(TerminalText.escape(store.files[files[0]].path))")
        }
        return id
    }
}

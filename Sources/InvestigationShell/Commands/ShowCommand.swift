import ExchangeEvidence

/// `show EVENT_ID`: one event in full, every field named, plus where it came from.
struct ShowCommand: Command {
    var name: String { "show" }
    var summary: String { "show one event in full: every field, the raw line, file, line and SHA-256" }
    var usage: String { "show EVENT_ID…" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard !args.positional.isEmpty else { throw ShellError("usage: \(usage)") }
        let store = ctx.session.store
        var docs: [JSONValue] = []
        for word in args.positional {
            guard let id = Int(word.hasPrefix("#") ? String(word.dropFirst()) : word), id >= 0, id < store.count else {
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

import ExchangeEvidence

/// `show EVENT_ID`: one event in full, every field named, plus where it came from and the findings citing it.
/// `show F6`: one finding with every event it rests on, by FILE:LINE.
struct ShowCommand: Command {
    var name: String { "show" }
    func readsEvidence(_ args: Arguments) -> Bool { true }
    var summary: String { "show one event in full (fields, raw line, file, line, SHA-256, citing findings), or a finding's events" }
    var usage: String { "show EVENT_ID|FILE:LINE|FINDING_ID…" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard !args.positional.isEmpty else { throw ShellError("usage: \(usage)") }
        let store = ctx.session.store
        var docs: [JSONValue] = []
        for word in args.positional {
            if Self.isFindingID(word) {
                docs.append(try finding(word, ctx))
                continue
            }
            let number = Int(word.hasPrefix("#") ? String(word.dropFirst()) : word)
            guard let id = try number ?? Self.event(at: word, in: store, preferring: LessonRun.evidenceSet(ctx.session)), id >= 0, id < store.count else {
                throw ShellError.noEvent("'\(TerminalText.escape(word))'", command: "show", count: store.count)
            }
            let f = store.file(of: id)
            let fields = store.fields(of: id)
            let citations = ctx.session.findingCitationsRunningHunt()
            let citing = citations.findings(citing: id)
            if ctx.wantsJSON {
                docs.append(.object([
                    ("event", .int(id)), ("time", .time(store.time[id])), ("server", .string(f.server)), ("source", .string(f.kind.rawValue)),
                    ("channel", .string(f.channel)), ("file", .string(f.path)), ("line", .int(store.line(of: id))), ("sha256", .string(f.sha256)),
                    ("fields", .object(fields.map { ($0.name, .string($0.value)) })), ("raw", .string(store.rawLine(id))),
                    ("findings", .array(citing.map { fid in
                        .object([("id", .string(fid)), ("rule", .string(citations.facts(ofFinding: fid)?.rule ?? ""))])
                    })),
                ]))
                continue
            }
            ctx.line("event \(id)  \(ctx.session.displayTime(store.time[id]))  \(TerminalText.escape(f.server))  \(f.kind.rawValue)\(f.channel.isEmpty ? "" : "/" + TerminalText.escape(f.channel))")
            ctx.line("file  \(TerminalText.escape(f.path)):\(store.line(of: id))  sha256 \(f.sha256)")
            if !citing.isEmpty {
                let named = citing.map { fid in citations.facts(ofFinding: fid).map { "\(fid) \($0.rule)" } ?? fid }
                ctx.line("cited by " + TerminalText.escape(named.joined(separator: ", ")) + "  ('show F…' lists a finding's events)")
            }
            let width = min(28, fields.map(\.name.count).max() ?? 0)
            for (n, v) in fields where !v.isEmpty {
                ctx.line("  " + TerminalText.escape(n).padding(toLength: width, withPad: " ", startingAt: 0) + "  " + TerminalText.escape(v))
            }
            ctx.line("raw   " + store.withRawLine(id) { TerminalText.escape(bytes: $0) })
        }
        if ctx.wantsJSON { ctx.json(docs.count == 1 ? docs[0] : .array(docs)) }
    }

    /// `F6`, `f12`: a finding id as `hunt` prints it.
    static func isFindingID(_ word: String) -> Bool {
        guard let first = word.first, first == "F" || first == "f", word.count > 1 else { return false }
        return word.dropFirst().allSatisfy(\.isASCII) && Int(word.dropFirst()) != nil
    }

    /// Prints (or returns as JSON) finding `id` with every event it rests on.
    private func finding(_ id: String, _ ctx: CommandContext) throws -> JSONValue {
        let store = ctx.session.store
        let citations = ctx.session.findingCitationsRunningHunt()
        guard let facts = citations.facts(ofFinding: id), let events = citations.events(ofFinding: id) else {
            throw ShellError("show: no finding '\(TerminalText.escape(id))' (\(citations.findingIDs.isEmpty ? "the hunt found nothing" : "findings are F1–F\(citations.findingIDs.count); 'hunt' lists them"))")
        }
        let name = id.uppercased()
        if ctx.wantsJSON {
            return .object([
                ("finding", .string(name)), ("rule", .string(facts.rule)), ("title", .string(facts.title)), ("severity", .string(facts.severity)),
                ("cves", .strings(facts.cves)), ("server", .string(facts.server)), ("time", .time(facts.time)), ("summary", .string(facts.summary)),
                ("events", .array(events.map { e in
                    .object([("event", .int(e)), ("time", .time(store.time[e])), ("server", .string(store.server(of: e))),
                             ("source", .string(store.file(of: e).kind.rawValue)), ("file", .string(store.file(of: e).path)),
                             ("line", .int(store.line(of: e))), ("message", .string(EventMessage.build(store, e)))])
                })),
            ])
        }
        ctx.line("finding \(name)  \(Style.severity(facts.severity.uppercased(), width: 8, color: ctx.session.settings.color)) "
                 + "\(ctx.session.displayTime(facts.time))  \(TerminalText.escape(facts.server))  \(TerminalText.escape(facts.rule))  \(TerminalText.escape(facts.title))")
        if !facts.cves.isEmpty { ctx.line("cves  " + facts.cves.joined(separator: ", ")) }
        ctx.line("why   " + TerminalText.escape(facts.summary))
        ctx.line("\(events.count) event\(events.count == 1 ? "" : "s") ('show FILE:LINE' or 'show EVENT' prints one in full; 'timeline --finding \(name)' in context):")
        var table = TextTable(["event", "time", "source", "file:line", "message"])
        table.rightAligned = [0]
        for e in events {
            let f = store.file(of: e)
            table.add([String(e), ctx.session.displayTime(store.time[e]), f.channel.isEmpty ? f.kind.rawValue : "\(f.kind.rawValue)/\(f.channel)",
                       "\(f.path):\(store.line(of: e))", EventMessage.build(store, e)])
        }
        // Fitted to a terminal's width; whole in a pipe, where the reader (grep, a file) wants the message.
        ctx.table(table)
        return .null
    }
}

import Foundation

extension ShowCommand {
    /// The event at `FILE:LINE` (the form `hunt` and `sources --problems` print, and the stable key lessons
    /// use); FILE may be any unique ending of a loaded file's path (the same file loaded twice counts once).
    /// nil when the word is not of that form.
    /// While a lesson runs, a path that also matches other loaded evidence means the training set's file.
    static func event(at word: String, in store: EventStore, command: String = "show", preferring set: String? = nil) throws -> EventID? {
        guard let colon = word.lastIndex(of: ":"), let line = Int(word[word.index(after: colon)...]) else { return nil }
        let path = String(word[..<colon])
        var files = store.files.indices.filter { store.files[$0].path == path || store.files[$0].path.hasSuffix("/" + path) }
        if let set, files.count > 1, files.contains(where: { store.files[$0].evidenceSet == set }) {
            files = files.filter { store.files[$0].evidenceSet == set }
        }
        guard !files.isEmpty, Set(files.map { store.files[$0].sha256 }).count == 1 else {
            throw ShellError(files.isEmpty ? "\(command): no loaded file '\(TerminalText.escape(path))'"
                                           : "\(command): '\(TerminalText.escape(path))' matches \(files.count) files; give more of the path")
        }
        let f = UInt32(files[0])
        guard let id = store.fileIndex.indices.first(where: { store.fileIndex[$0] == f && Int(store.lineNumber[$0]) == line }) else {
            throw ShellError("\(command): no event at line \(line) of \(TerminalText.escape(store.files[files[0]].path))")
        }
        return id
    }
}

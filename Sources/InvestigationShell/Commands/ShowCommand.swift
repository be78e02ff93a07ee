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
                if number == nil { try Self.checkFileWord(word, in: store, command: "show") }
                throw ShellError.noEvent("'\(TerminalText.escape(word))'", command: "show", count: store.count)
            }
            let f = store.file(of: id)
            let fields = store.fields(of: id)
            let citations = ctx.session.findingCitationsRunningHunt()
            let citing = citations.findings(citing: id)
            if ctx.wantsJSON {
                docs.append(.object([
                    ("event", .int(id)), ("time", .time(store.time[id])), ("server", .string(f.server)), ("source", .string(f.kind.rawValue)),
                    ("channel", .string(f.channel)), ("file", .string(store.citation(of: f))), ("line", .int(store.line(of: id))), ("sha256", .string(f.sha256)),
                    ("fields", .object(fields.map { ($0.name, .string($0.value)) })), ("raw", .string(store.rawLine(id))),
                    ("findings", .array(citing.map { fid in
                        .object([("id", .string(fid)), ("rule", .string(citations.facts(ofFinding: fid)?.rule ?? ""))])
                    })),
                    ("changed_since_load", f.changedSinceLoad.map { .string($0) } ?? .null),
                ]))
                continue
            }
            ctx.line("event \(id)  \(ctx.session.displayTime(store.time[id]))  \(TerminalText.escape(f.server))  \(f.kind.rawValue)\(f.channel.isEmpty ? "" : "/" + TerminalText.escape(f.channel))")
            ctx.line("file  \(TerminalText.escape(store.citation(of: id)))  sha256 \(f.sha256)")
            // What rules and findings read (time, client, URL, user agent, status) was read at load; the fields below
            // are split from the line as the file reads now (reviewer: "as loaded" beside NULs where it was cut).
            if let changed = f.changedSinceLoad {
                ctx.line("note  the file was \(TerminalText.escape(changed)): the time and the values rules read were read at load; "
                         + "the fields and raw line below are the file as it reads now")
            }
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
        try ctx.requireEvidence("show")
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
                             ("source", .string(store.file(of: e).kind.rawValue)), ("file", .string(store.citation(of: store.file(of: e)))),
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
                       store.citation(of: e), EventMessage.build(store, e)])
        }
        // Fitted to a terminal's width; whole in a pipe, where the reader (grep, a file) wants the message.
        ctx.table(table)
        return .null
    }
}

import Foundation

extension ShowCommand {
    /// The event at `FILE:LINE` (the form `hunt` and `sources --problems` print, and the stable key lessons
    /// use); FILE may be any unique ending of a loaded file's path (the same file loaded twice counts once), with
    /// or without its evidence set's or server's name before it: `SET/PATH` tells apart two collections holding the
    /// same path (`EventStore.citation(of:)`). A file whose path is FILE exactly is taken before longer paths ending in it.
    /// nil when the word is not of that form.
    /// While a lesson runs, a path that also matches other loaded evidence means the training set's file. A line
    /// in the start a re-collected log shares with its earlier copy is that copy's event.
    static func event(at word: String, in store: EventStore, command: String = "show", preferring set: String? = nil) throws -> EventID? {
        guard let colon = word.lastIndex(of: ":"), let line = Int(word[word.index(after: colon)...]) else { return nil }
        let path = String(word[..<colon])
        let files = try Self.file(path, in: store, command: command, preferring: set)
        // A line of a re-collected log's start is the earlier copy's event, at the same line; a record an event log
        // collected again shares is the earlier copy's event holding it (reviewers: 'no event').
        var f: Int? = files
        while let file = f {
            if let id = store.events(ofFile: file).first(where: { Int(store.lineNumber[$0]) == line }) { return id }
            if line > 0, line <= Int(UInt32.max), let id = store.files[file].sharedLines[UInt32(line)] { return id }
            f = store.earlierCopy(of: file)
        }
        throw ShellError("\(command): no event at line \(line) of \(TerminalText.escape(store.citation(of: store.files[files])))")
    }

    /// Whether a word that names no event looks like a file (`Ecp/HttpProxy_2021030306-1.LOG`, `x.LOG:abc`), whose
    /// event is `FILE:LINE`: the one test `show`, `mark` and their "no event" error share.
    static func isFileWord(_ word: String) -> Bool { word.contains("/") || word.contains(".") || word.contains(":") }

    /// A word that names no event but looks like a file: says what is wrong with it (no file by that name, or no
    /// number after its ':'), else returns so the caller asks for the line.
    static func checkFileWord(_ word: String, in store: EventStore, command: String) throws {
        guard store.count > 0, isFileWord(word) else { return }
        if word.contains(":") {
            throw ShellError("\(command): '\(TerminalText.escape(word))': the part after ':' is the line number, as in FILE:12")
        }
        _ = try file(word, in: store, command: command)
    }

    /// The loaded file FILE names (as `event(at:)` reads it); throws when none or several different ones do. Also
    /// checks a file word typed without `:LINE`, so the error says the file is unknown before asking for a line.
    static func file(_ path: String, in store: EventStore, command: String, preferring set: String? = nil) throws -> Int {
        func matches(_ f: EvidenceFile, exactly: Bool) -> Bool {
            // A path with control characters is printed escaped (`u_ex\x1b[31m.log`): that form, copied from a finding,
            // names the file too (reviewer: `show` refused the FILE:LINE exhunt had printed).
            let names = ControlCharacters.hasUnsafe(f.path) ? [f.path, TerminalText.escape(f.path)] : [f.path]
            func fits(_ p: Substring) -> Bool { names.contains { $0 == p || (!exactly && $0.hasSuffix("/" + p)) } }
            if fits(path[...]) { return true }
            guard let slash = path.firstIndex(of: "/") else { return false }
            // A set or server name in any case, as typed (`ex07/…`).
            let qualifier = String(path[..<slash])
            let named = qualifier.caseInsensitiveCompare(f.evidenceSet) == .orderedSame || qualifier.caseInsensitiveCompare(f.server) == .orderedSame
            return named && fits(path[path.index(after: slash)...])
        }
        var files = store.files.indices.filter { matches(store.files[$0], exactly: false) }
        let exact = files.filter { matches(store.files[$0], exactly: true) }
        if !exact.isEmpty { files = exact }
        if let set, files.count > 1, files.contains(where: { store.files[$0].evidenceSet == set }) {
            files = files.filter { store.files[$0].evidenceSet == set }
        }
        guard !files.isEmpty, Set(files.map { store.files[$0].sha256 }).count == 1 else {
            if files.isEmpty { throw ShellError("\(command): no loaded file '\(TerminalText.escape(path))'") }
            let cited = Array(Set(files.map { store.citation(of: store.files[$0]) })).sorted()
            throw ShellError("\(command): '\(TerminalText.escape(path))' matches \(files.count) files ("
                             + TerminalText.escape(cited.prefix(4).joined(separator: ", ")) + (cited.count > 4 ? ", …" : "")
                             + "); give more of the path, or SET/PATH")
        }
        return files[0]
    }
}

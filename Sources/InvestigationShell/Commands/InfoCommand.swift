import ExchangeEvidence

/// `info`: a one-screen summary of the session.
struct InfoCommand: Command {
    var name: String { "info" }
    var summary: String { "summary of the session: evidence sets, servers, events, memory" }
    var usage: String { "info" }
    var positionalLimit: Int? { 0 }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let store = ctx.session.store
        let servers = Set(store.files.map(\.server)).sorted()
        let read = store.filesAsRead
        let bytes = read.reduce(0) { $0 + $1.size }
        var first = Int64.max, last = Int64.min
        for f in store.files where f.firstTime != Timestamp.unknown { first = min(first, f.firstTime); last = max(last, f.lastTime) }
        if ctx.wantsJSON {
            ctx.json(.object([
                ("evidence_sets", .array(ctx.session.loads.map { .object([("name", .string($0.evidenceSet)), ("root", .string($0.root)),
                                                                         ("files", .int($0.filesAdded)), ("events", .int($0.eventsAdded)),
                                                                         ("interrupted", .bool($0.cancelled))]) })),
                ("interrupted_sets", .strings(ctx.session.interruptedLoads.map(\.evidenceSet))),
                ("servers", .strings(servers)), ("files", .int(read.count)), ("events", .int(store.count)),
                ("bytes", .int(bytes)), ("distinct_values", .int(store.pool.count - 1)), ("index_bytes", .int(store.indexFootprint)),
                ("first", first == Int64.max ? .null : .time(first)), ("last", last == Int64.min ? .null : .time(last)),
                ("timezone", .string(ctx.session.settings.timezoneName)), ("output", .string(ctx.session.settings.output.rawValue)),
            ]))
            return
        }
        let sets = ctx.session.evidenceSetNames
        ctx.line("evidence sets: " + (sets.isEmpty ? "none" : sets.map { TerminalText.escape($0) }.joined(separator: ", ")))
        for l in ctx.session.interruptedLoads {
            ctx.line("interrupted:   \(TerminalText.escape(l.evidenceSet)): Ctrl-C stopped its load after \(LoadCommand.count(l.files, "file")); "
                     + "the rest is not read ('load' it again to read it)")
        }
        ctx.line("servers:       " + (servers.isEmpty ? "none" : TerminalText.escape(servers.joined(separator: ", "))))
        ctx.line("files:         \(read.count) (\(bytes) bytes)")
        ctx.line("events:        \(store.count)")
        if first != Int64.max { ctx.line("time range:    \(ctx.session.displayTime(first)) – \(ctx.session.displayTime(last)) (\(ctx.session.settings.timezoneName))") }
        ctx.line("index memory:  \(store.indexFootprint / 1024) KiB for events and \(store.pool.count - 1) distinct values")
    }
}

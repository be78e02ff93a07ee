import ExchangeEvidence

/// `sources`: what is loaded, per server and source, with the time range each covers — "nothing found"
/// only means something next to what the logs cover — and which rules that leaves unable to run, or running
/// on logs that miss part of the campaign. `--files` lists every file with its SHA-256 (chain of
/// custody); `--problems` lists what could not be read cleanly.
struct SourcesCommand: Command {
    var name: String { "sources" }
    var summary: String { "loaded sources per server: files, events, covered time range; --files, --problems" }
    var usage: String { "sources [--server NAME] [--files | --problems]" }
    var positionalLimit: Int? { 0 }
    var options: [OptionSpec] {
        [.value("server", "NAME", "only this server"),
         .flag("files", "list every file with size, modification time and SHA-256"),
         .flag("problems", "list the problems found per file")]
    }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let store = ctx.session.store
        let wanted = try args.value("server").map { try ServerOption.resolve([$0], in: store, command: "sources") }
        let files = store.files.filter { wanted?.contains($0.server) ?? true }
        if files.isEmpty && !ctx.wantsJSON { ctx.line("nothing loaded; try 'load PATH' or 'load demo'"); return }
        if args.flag("files") && args.flag("problems") { throw ShellError("sources: --files or --problems, not both") }
        if args.flag("files") { return listFiles(files, ctx) }
        if args.flag("problems") { return listProblems(files, skipped: ctx.session.loads, ctx) }

        struct Group {
            var files = 0, events = 0, bytes = 0, problems = 0, bytesNotRead = 0, recordsNotRead = 0
            var first = Int64.max, last = Int64.min
        }
        var groups: [String: Group] = [:]
        var keys: [(server: String, kind: String, channel: String)] = []
        for f in files {
            let key = "\(f.server)\u{0}\(f.kind.rawValue)\u{0}\(f.channel)"
            if groups[key] == nil { keys.append((f.server, f.kind.rawValue, f.channel)) }
            var g = groups[key, default: Group()]
            g.files += 1; g.events += f.eventCount; g.bytes += f.size; g.problems += f.problems.total
            g.bytesNotRead += f.bytesNotRead; g.recordsNotRead += f.recordsNotRead
            if f.firstTime != Timestamp.unknown { g.first = min(g.first, f.firstTime); g.last = max(g.last, f.lastTime) }
            groups[key] = g
        }
        keys.sort { ($0.server, $0.kind, $0.channel) < ($1.server, $1.kind, $1.channel) }
        if ctx.wantsJSON {
            ctx.json(.array(keys.map { k in
                let g = groups["\(k.server)\u{0}\(k.kind)\u{0}\(k.channel)"]!
                return .object([("server", .string(k.server)), ("source", .string(k.kind)), ("channel", .string(k.channel)),
                                ("files", .int(g.files)), ("events", .int(g.events)), ("bytes", .int(g.bytes)),
                                ("first", g.first == Int64.max ? .null : .time(g.first)),
                                ("last", g.last == Int64.min ? .null : .time(g.last)), ("problems", .int(g.problems)),
                                ("bytes_not_read", .int(g.bytesNotRead)), ("records_not_read", .int(g.recordsNotRead))])
            }))
            return
        }
        // "not read" appears only when some file has bytes or records no event holds (see `sources --problems`).
        let showNotRead = files.contains { $0.bytesNotRead > 0 || $0.recordsNotRead > 0 }
        var table = TextTable(["server", "source", "channel", "files", "events", "first", "last", "problems"]
                              + (showNotRead ? ["not read"] : []))
        table.rightAligned = [3, 4, 7, 8]
        for k in keys {
            let g = groups["\(k.server)\u{0}\(k.kind)\u{0}\(k.channel)"]!
            table.add([k.server, k.kind, k.channel, String(g.files), String(g.events),
                       g.first == Int64.max ? "-" : ctx.session.displayTime(g.first),
                       g.last == Int64.min ? "-" : ctx.session.displayTime(g.last), String(g.problems)]
                      + (showNotRead ? [Self.notRead(bytes: g.bytesNotRead, records: g.recordsNotRead)] : []))
        }
        ctx.table(table)
        let coverage = HuntFindings.of(ctx.session).ruleCoverage(for: store)
        let servers = Array(Set(files.map(\.server))).sorted()
        let notes = servers.flatMap { s in coverage.sentences(of: s, time: ctx.session.displayTime).map { (s, $0) } }
        if notes.isEmpty { return }
        ctx.line()
        ctx.line("not covered ('hunt' says the same beside the findings; 'help hunt' explains):")
        for (server, sentence) in notes { ctx.line("  " + TerminalText.escape(server) + ": " + TerminalText.escape(sentence)) }
    }

    private func listFiles(_ files: [EvidenceFile], _ ctx: CommandContext) {
        if ctx.wantsJSON {
            ctx.json(.array(files.map { f in
                // `local_time_zone` only on files whose times are local (`load --local-time`).
                .object([("server", .string(f.server)), ("evidence_set", .string(f.evidenceSet)), ("file", .string(f.path)),
                         ("location", .string(f.location)), ("source", .string(f.kind.rawValue)), ("channel", .string(f.channel)), ("size", .int(f.size)),
                         ("modified", .time(f.modified)), ("sha256", .string(f.sha256)), ("events", .int(f.eventCount)),
                         ("bytes_not_read", .int(f.bytesNotRead)), ("records_not_read", .int(f.recordsNotRead))]
                        + (f.facts["time.zone"].map { [("local_time_zone", JSONValue.string($0))] } ?? [])
                        + (f.facts[EvidenceFile.continuesFact].map { [("continues", JSONValue.string($0))] } ?? []))
            }))
            return
        }
        let showNotRead = files.contains { $0.bytesNotRead > 0 || $0.recordsNotRead > 0 }
        let showZone = files.contains { $0.facts["time.zone"] != nil }
        // A log collected again: the earlier copy whose lines it starts with (`help load`).
        let showContinues = files.contains { $0.facts[EvidenceFile.continuesFact] != nil }
        // A file whose events span several channels (a SIEM export) is one entry per channel: the column tells them apart.
        // A path two sets hold with other bytes is given as `SET/PATH`, as citations give it.
        var table = TextTable(["server", "file", "source", "channel", "size", "modified (UTC)", "sha256"] + (showNotRead ? ["not read"] : [])
                              + (showZone ? ["local times"] : []) + (showContinues ? ["continues"] : []))
        table.rightAligned = [4, 7]
        table.whole = [6]
        for f in files {
            table.add([f.server, ctx.session.store.citation(of: f), f.kind.rawValue, f.channel, String(f.size), Timestamp.short(f.modified), f.sha256]
                      + (showNotRead ? [Self.notRead(bytes: f.bytesNotRead, records: f.recordsNotRead)] : [])
                      + (showZone ? [f.facts["time.zone"] ?? ""] : []) + (showContinues ? [f.facts[EvidenceFile.continuesFact] ?? ""] : []))
        }
        ctx.table(table)
    }

    private func listProblems(_ files: [EvidenceFile], skipped loads: [LoadReport], _ ctx: CommandContext) {
        let store = ctx.session.store
        let withProblems = files.filter { $0.problems.total > 0 }
        // What the walk refused (hostile zip members, links) belongs to the chain of custody too.
        let skipped = loads.flatMap { load in load.discoveryProblems.map { (set: load.evidenceSet, problem: $0) } }
        if ctx.wantsJSON {
            ctx.json(.array(skipped.map { s in
                .object([("server", .null), ("file", .string(s.problem.path)), ("total", .int(1)), ("by_kind", .object([(s.problem.skipped ? "skipped" : "damaged", .int(1))])),
                         ("problems", .array([.object([("line", .null), ("message", .string(s.problem.message))])]))])
            } + withProblems.map { f in
                .object([("server", .string(f.server)), ("file", .string(store.citation(of: f))), ("total", .int(f.problems.total)),
                         ("bytes_not_read", .int(f.bytesNotRead)), ("records_not_read", .int(f.recordsNotRead)),
                         ("by_kind", .object(f.problems.countsByKind.map { ($0.kind, .int($0.count)) })),
                         ("problems", .array(f.problems.kept.map { .object([("line", $0.line.map { .int($0) } ?? .null),
                                                                             ("message", .string($0.message))]) }))])
            }))
            return
        }
        for s in skipped {
            // Zip members' reasons already end in "not loaded".
            let message = s.problem.message.hasSuffix("not loaded") ? s.problem.message
                : "\(s.problem.skipped ? "not loaded" : "damaged"): \(s.problem.message)"
            ctx.line(TerminalText.escape("\(s.set)  \(s.problem.path): \(message)"))
        }
        if withProblems.isEmpty && skipped.isEmpty { ctx.line("no problems: every loaded line was read cleanly"); return }
        for f in withProblems {
            let unread = f.bytesNotRead > 0 || f.recordsNotRead > 0 ? "; \(Self.notRead(bytes: f.bytesNotRead, records: f.recordsNotRead)) not read" : ""
            // Cited as `show` takes it: with the evidence set's name where two sets hold different files at one path.
            ctx.line(TerminalText.escape("\(f.server)  \(store.citation(of: f)): \(f.problems.total) problem\(f.problems.total == 1 ? "" : "s")\(unread)"))
            for p in f.problems.kept { ctx.line("  " + TerminalText.escape(p.message)) }
            let shown = f.problems.kept.count
            if f.problems.total > shown {
                ctx.line("  … \(f.problems.total - shown) more: " + f.problems.countsByKind.map { "\($0.kind) ×\($0.count)" }.joined(separator: ", "))
            }
        }
    }

    /// "1204 bytes", "3 records", or both, for what no event holds.
    static func notRead(bytes: Int, records: Int) -> String {
        [bytes > 0 ? "\(bytes) byte\(bytes == 1 ? "" : "s")" : nil, records > 0 ? "\(records) record\(records == 1 ? "" : "s")" : nil]
            .compactMap { $0 }.joined(separator: ", ").ifEmpty("0")
    }
}

private extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}

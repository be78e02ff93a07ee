import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `grep-ioc [SET…]`: sweeps every loaded server and source for published indicators, field-aware
/// (whole IPs, whole user agents in either log spelling, paths and names by segment, hashes of listed and
/// collected files), or over the raw bytes with `--raw`. Prints one line per indicator found by default, counting
/// the events it was found in (an event matching in two fields is one), or with `--hits` one line per event.
struct GrepIOCCommand: Command {
    var name: String { "grep-ioc" }
    var summary: String { "find indicator sets (IPs, user agents, paths, names, hashes, domains, URLs) in the loaded evidence" }
    var usage: String { "grep-ioc [SET…] [--type TYPE] [--server NAME] [--from TIME] [--to TIME] [--hits] [--raw]" }
    var options: [OptionSpec] {
        [.repeated("type", "TYPE", "only indicators of this type: " + IndicatorType.allCases.map(\.rawValue).joined(separator: ", ")),
         .repeated("server", "NAME", "only this server (repeatable)"),
         .value("from", "TIME", "only hits at or after TIME (as timeline: session time zone unless it ends in Z or ±HH:MM; -2h)"),
         .value("to", "TIME", "only hits up to TIME (a bare date includes the whole day)"),
         .flag("hits", "list each hit (indicator and event, with the fields that matched) instead of one line per indicator"),
         .flag("raw", "search the raw bytes of every loaded file instead of the parsed fields")]
    }
    var completion: ArgumentCompletion { .words(IndicatorLibrary.builtInNames) }
    func readsEvidence(_ args: Arguments) -> Bool { args.flag("raw") }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        CaseState.of(ctx.session).syncIndicators(ctx.session)
        try ctx.requireEvidence(name)
        let store = ctx.session.store
        let library = ctx.session.indicatorLibrary
        var types: Set<IndicatorType> = []
        for word in args.values("type").flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let t = IndicatorType(name: word) else {
                throw ShellError("grep-ioc: unknown type '\(TerminalText.escape(word))' (types: \(IndicatorType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            types.insert(t)
        }
        let indicators: [Indicator]
        do { indicators = try library.select(sets: args.positional, types: types) } catch {
            throw ShellError("grep-ioc: \(TerminalText.escape("\(error)"))")
        }
        let filter = IOCFilter(servers: try ServerOption.resolve(args.values("server"), in: store, command: "grep-ioc"), from: try time(args.value("from"), ctx)?.start,
                               to: try time(args.value("to"), ctx).map { $0.end - 1 })
        let started = Date()
        let matcher = IOCMatcher(indicators: indicators)
        let hits = args.flag("raw") ? matcher.matchRaw(store, filter: filter) : matcher.match(store, filter: filter)
        try ctx.checkCancelled()
        let elapsed = Date().timeIntervalSince(started)

        if args.flag("hits") {
            printHits(hits, matcher, store, ctx)
        } else {
            printSummary(IOCSummary.summarize(hits, store: store), Self.statuses(hits, store), matcher, ctx)
        }
        if !ctx.wantsJSON {
            let searched = Set(indicators.map(\.set)).sorted().joined(separator: ", ")
            ctx.diagnostic(String(format: "%d hits (indicator and event) of %d indicators (%@) over %d events in %d file%@, %.0f ms%@",
                                  hits.count, indicators.count, searched, store.count, store.filesAsRead.count,
                                  store.filesAsRead.count == 1 ? "" : "s", elapsed * 1000,
                                  args.flag("raw") ? ", raw bytes" : ""))
            // Text files hold lines with no fields, which only --raw searches (reviewer: an IIS log in a format no reader
            // knows, holding a listed address, gave "no hits" and no word of why).
            // Saved build output (ExSetup, Get-ExchangeServer) is text too, but read for its build: not named.
            let text = store.filesAsRead.filter { f in
                f.kind == .text && !EvidenceLoader.isRecognised(f) && filter.acceptsServer(f.server)
            }
            if !args.flag("raw"), let first = text.first {
                ctx.diagnostic("note: \(text.count) text file\(text.count == 1 ? "" : "s") (\(TerminalText.escape(first.path))\(text.count > 1 ? ", …" : "")) "
                               + "\(text.count == 1 ? "is" : "are") lines with no fields: only 'grep-ioc --raw' searches \(text.count == 1 ? "it" : "them")")
            }
            let outside = Set(hits.filter { Self.afterValidUntil($0, matcher.indicators[$0.indicator]) }.map(\.indicator))
            if !outside.isEmpty {
                let names = outside.sorted().prefix(5).map { TerminalText.escape(matcher.indicators[$0].value) }.joined(separator: ", ")
                ctx.diagnostic("note: \(outside.count) indicator\(outside.count == 1 ? " has" : "s have") hits after the valid_until its "
                               + "source gives (it may no longer have been the attacker's then): \(names)"
                               + (outside.count > 5 ? ", …" : "") + " (ioc show SET; grep-ioc --hits --json marks each hit after_valid_until)")
            }
        }
    }

    /// The HTTP status of a hit's event, when it has one.
    static func status(_ h: IOCHit, _ store: EventStore) -> String? {
        guard let e = h.event else { return nil }
        let s = store.value(.status, e)
        return s.isEmpty || s == "-" ? nil : s
    }

    /// The HTTP statuses of each indicator's hits in web logs, counted, most frequent first: a path indicator hit
    /// only by refused requests (404) is a scanner's guess, not a shell that was there (reviewer: the summary read
    /// as "discover.aspx on EX01 and EX02").
    static func statuses(_ hits: [IOCHit], _ store: EventStore) -> [Int: [(status: String, count: Int)]] {
        var counts: [Int: [String: Int]] = [:]
        for h in hits {
            if let status = status(h, store) { counts[h.indicator, default: [:]][status, default: 0] += 1 }
        }
        return counts.mapValues { $0.map { (status: $0.key, count: $0.value) }.sorted { ($1.count, $0.status) < ($0.count, $1.status) } }
    }

    /// `200×2,404×1`.
    static func statusText(_ counted: [(status: String, count: Int)]) -> String {
        counted.map { "\($0.status)×\($0.count)" }.joined(separator: ",")
    }

    private func printSummary(_ summary: [IOCSummary], _ statuses: [Int: [(status: String, count: Int)]], _ m: IOCMatcher, _ ctx: CommandContext) {
        let ordered = summary.sorted { ($0.first, m.indicators[$0.indicator].value) < ($1.first, m.indicators[$1.indicator].value) }
        if ctx.wantsJSON {
            ctx.json(.array(ordered.map { s in
                let i = m.indicators[s.indicator]
                return .object([("ioc", .string(i.value)), ("type", .string(i.type.rawValue)), ("set", .string(i.set)),
                                ("source", .string(i.source)), ("events", .int(s.events)), ("first", .time(s.first)),
                                ("last", .time(s.last)), ("servers", .strings(s.servers)), ("fields", .strings(s.fields)),
                                ("statuses", .object((statuses[s.indicator] ?? []).map { ($0.status, .int($0.count)) }))])
            }))
            return
        }
        if ordered.isEmpty { ctx.line("no hits"); return }
        var table = TextTable(["ioc", "type", "set", "events", "first", "last", "request status", "servers", "fields"])
        table.rightAligned = [3]
        for s in ordered {
            let i = m.indicators[s.indicator]
            let status = statuses[s.indicator].map(Self.statusText) ?? "-"
            table.add([i.value, i.type.rawValue, i.set, String(s.events), ctx.session.displayTime(s.first),
                       ctx.session.displayTime(s.last), status, s.servers.joined(separator: ","), s.fields.joined(separator: ",")])
        }
        ctx.table(table)
    }

    private func printHits(_ hits: [IOCHit], _ m: IOCMatcher, _ store: EventStore, _ ctx: CommandContext) {
        IOCHitList.of(ctx.session).remember(hits, m, store: store)
        if ctx.wantsJSON {
            ctx.json(.array(hits.enumerated().map { n, h in
                let i = m.indicators[h.indicator], f = store.files[h.file]
                return .object([("hit", .string(IOCHitList.id(n))), ("ioc", .string(i.value)), ("type", .string(i.type.rawValue)), ("set", .string(i.set)),
                                ("event", h.event.map { .int($0) } ?? .null), ("server", .string(f.server)),
                                ("time", .time(h.time)), ("status", Self.status(h, store).map { .string($0) } ?? .null),
                                ("fields", .strings(h.fields)), ("file", .string(f.path)),
                                ("line", h.line > 0 ? .int(h.line) : .null),
                                ("after_valid_until", .bool(Self.afterValidUntil(h, i)))])
            }))
            return
        }
        if hits.isEmpty { ctx.line("no hits"); return }
        var table = TextTable(["hit", "event", "time", "server", "ioc", "type", "set", "status", "fields", "file:line"])
        for (n, h) in hits.enumerated() {
            let i = m.indicators[h.indicator], f = store.files[h.file]
            table.add([IOCHitList.id(n), h.event.map(String.init) ?? "-", ctx.session.displayTime(h.time), f.server, i.value, i.type.rawValue,
                       i.set, Self.status(h, store) ?? "-", h.fields.joined(separator: ","), shortPath(f.path) + (h.line > 0 ? ":\(h.line)" : "")])
        }
        ctx.table(table)
    }

    /// True when the hit's event is dated after the indicator's `valid_until` (STIX; MISP `last_seen`): an address
    /// or domain may have changed hands by then. Not before `valid_from`: indicators are published after the
    /// intrusions they come from, so the attacker's own use of them precedes it.
    static func afterValidUntil(_ h: IOCHit, _ i: Indicator) -> Bool {
        guard h.time != Timestamp.unknown, let until = Timestamp.parse(i.validUntil) else { return false }
        return h.time > until
    }

    /// The last two components of an evidence path (`W3SVC1/u_ex210303.log`); JSON carries the whole path.
    private func shortPath(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.count > 2 ? "…/" + parts.suffix(2).joined(separator: "/") : path
    }

    /// `2021-03-03`, `2021-03-03T06:00:00[.fff][Z]` or `2021-03-03 06:00:00`, all UTC.
    /// The same time language as `timeline --from/--to`, in the session's time zone.
    private func time(_ text: String?, _ ctx: CommandContext) throws -> (start: Int64, end: Int64)? {
        guard let text else { return nil }
        let newest = ctx.session.store.files.map(\.lastTime).max() ?? Timestamp.unknown
        guard let span = TimeSpec.bound(text, zone: ctx.session.settings.timezone, newest: newest) else {
            throw ShellError("grep-ioc: cannot read the time '\(TerminalText.escape(text))' (use 2021-03-03, 2021-03-03 06:00, 2021-03-03T06:00:00Z or -2h)")
        }
        return span
    }
}

extension Session {
    /// The session's indicator sets, loaded on first use.
    var indicatorLibrary: IndicatorLibrary { attachment(IndicatorLibrary.self) { IndicatorLibrary() } }
}

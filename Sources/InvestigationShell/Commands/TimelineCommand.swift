import ExchangeEvidence
import Foundation

/// `timeline`: every loaded event in one chronology across servers and sources, oldest first, with its
/// mark and the findings that cite it; filters narrow it, `--histogram` shows its shape.
struct TimelineCommand: Command {
    var name: String { "timeline" }
    var summary: String { "all events oldest first across servers and sources, with marks and findings; filters, --histogram" }
    var usage: String {
        "timeline [--from TIME] [--to TIME] [--server NAME] [--source KIND] [--ip ADDR] [--contains TEXT] [--field NAME=VALUE] "
            + "[--marked [LABEL]] [--findings] [--finding ID] [--around EVENT_ID [--window 10m]] [--limit N] [--histogram [--by hour|day]]"
    }
    var options: [OptionSpec] {
        TimelineFilter.options + [
            .flag("histogram", "count events per hour or day instead of listing them"),
            .value("by", "hour|day", "histogram bucket (default: hour for spans up to 3 days, else day)", choices: ["hour", "day"]),
        ]
    }
    var completion: ArgumentCompletion { .words(TimelineFilter.labels) }

    /// Lines shown on a terminal when no --limit is given.
    static let terminalPage = 200

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        try ctx.requireEvidence(name)
        let session = ctx.session
        CaseState.of(session).openDefaultIfPresent(session)
        let filter = try TimelineFilter.parse(args, command: name)
        let query = try TimelineQuery(filter, session: session, command: name)
        let findings = session.findingCitations
        // Options of one form that the other would ignore are refused, not ignored (reviewer).
        if args.flag("histogram") {
            if args.value("limit") != nil { throw ShellError("timeline: --limit lists events; a --histogram counts them all") }
            return try histogram(query, args, ctx, findings)
        }
        if args.value("by") != nil { throw ShellError("timeline: --by sets the --histogram's bucket; add --histogram") }

        let marks = CaseState.of(session).resolvedMarks(for: session.store)
        let json = ctx.wantsJSON
        let defaultLimit = !json && ctx.output.isTerminal ? Self.terminalPage : Int.max
        let limit = filter.limit ?? defaultLimit
        let store = session.store
        let layout = RowLayout(store: store, findings: findings)
        let width = json ? nil : session.terminalWidth()
        var buffer = ""
        var shown = 0
        var more = false
        try query.forEach(limit: limit == Int.max ? Int.max : limit + 1) { e in
            if shown == limit { more = true; return false }
            let row = TimelineRow(e, store: store, marks: marks, findings: findings)
            if shown == 0 && !json { buffer = (session.zoneHeader.map { $0 + "\n" } ?? "") + layout.header(width: width) }
            buffer += json ? row.json.serialized() + "\n" : layout.line(row, session, width: width) + "\n"
            shown += 1
            if shown % 256 == 0 {
                ctx.write(buffer)
                buffer = ""
                try ctx.checkCancelled()
            }
            return true
        }
        ctx.write(buffer)
        if json { return }
        if shown == 0 { ctx.line("no events match") }
        if more { ctx.diagnostic("… more events match; showing the first \(limit) (--limit N for more, --limit 0 for all)") }
        // `-` then means "not hunted yet", not "no finding" (reviewer: an event the hunt reports read as clean).
        if shown > 0 && findings == nil { ctx.diagnostic("note: the findings column fills once 'hunt' has run on this evidence") }
    }

    private func histogram(_ query: TimelineQuery, _ args: Arguments, _ ctx: CommandContext, _ findings: FindingCitations?) throws {
        let cited = Set(findings?.citedEvents ?? [])
        let h = try Histogram(query, bucket: args.value("by").flatMap(Histogram.Bucket.init(rawValue:)),
                              zone: ctx.session.settings.timezone, cited: cited) { try ctx.checkCancelled() }
        if ctx.wantsJSON {
            ctx.json(.object([
                ("bucket", .string(h.bucket.rawValue)),
                ("bins", .array(h.bins.map { .object([("start", .time($0.start)), ("events", .int($0.events)), ("cited", .int($0.cited))]) })),
                ("untimed", .int(h.untimed)),
            ]))
            return
        }
        if h.bins.isEmpty { ctx.line("no events with a time match"); return }
        for line in h.render(displayTime: ctx.session.displayTime) { ctx.line(line) }
        if h.untimed > 0 { ctx.line("(\(h.untimed) events without a time are not counted)") }
    }
}

/// Fixed column widths for streamed timeline lines (a table would need every row first).
struct RowLayout {
    let serverWidth: Int
    let sourceWidth: Int
    let eventWidth: Int
    /// Wide enough for the longest list of findings citing one event, so ids are never cut.
    let findingsWidth: Int

    init(store: EventStore, findings: FindingCitations? = nil) {
        serverWidth = max(6, store.files.map { $0.server.count }.max() ?? 0)
        sourceWidth = max(6, store.files.map { $0.kind.rawValue.count + ($0.channel.isEmpty ? 0 : $0.channel.count + 1) }.max() ?? 0)
        eventWidth = max(5, String(max(0, store.count - 1)).count)
        var longest = 8
        if let findings {
            for e in Set(findings.citedEvents) { longest = max(longest, findings.findings(citing: e).joined(separator: ",").count) }
        }
        findingsWidth = longest
    }

    func header(width: Int? = nil) -> String {
        line(["time", "server", "source", "event", "mark", "findings", "message"], width: width) + "\n"
    }

    /// One row; on a terminal (`width`) the source is cut to 28 characters and the message loses its middle to
    /// fit the line; in a pipe or a file every cell is whole.
    func line(_ row: TimelineRow, _ session: Session, width: Int? = nil) -> String {
        let mark = row.mark.map { $0.label } ?? "-"
        let findings = row.findings.isEmpty ? "-" : row.findings.joined(separator: ",")
        return line([session.displayTime(row.time), row.server, row.sourceLabel, String(row.event), mark, findings, row.message], width: width)
    }

    private func line(_ cells: [String], width: Int? = nil) -> String {
        let widths = [19, serverWidth, width == nil ? sourceWidth : min(28, sourceWidth), eventWidth, 10, findingsWidth]
        var out = ""
        for (i, cell) in cells.enumerated() {
            let c = TerminalText.escape(cell)
            if i < widths.count {
                let clipped = TextTable.clip(c, widths[i])
                let pad = String(repeating: " ", count: max(0, widths[i] - clipped.count))
                out += i == 3 ? pad + clipped + "  " : clipped + pad + "  "
            } else if let width, width - out.count >= 24 {
                out += TextTable.clip(c, width - out.count)
            } else {
                out += c
            }
        }
        return out
    }
}

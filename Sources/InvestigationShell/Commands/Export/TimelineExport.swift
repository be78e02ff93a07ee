import ExchangeEvidence
import Foundation

/// `export timeline FILE.csv|FILE.jsonl [--filter "…"]`: the timeline in Timesketch's import format —
/// the mandatory `message`, `datetime` (ISO 8601) and `timestamp_desc`, plus `timestamp` (µs), `server`,
/// `source`, `channel`, `event`, `file`, `line`, `sha256`, `findings`, the marks as `tag` and `mark_note`, and a
/// request's whole `url_query` (the message cuts it after 80 characters, and a search in Timesketch must find
/// `cmd=whoami` past them). Events without a time are left out (Timesketch drops them) and counted.
///
/// Rows are written as bytes (`ExportBytes`) with each file's constant columns encoded once, on both
/// cores (`ExportRows`), where building a `TimelineRow` per event managed a fifth of the speed; CSV rows of plain
/// requests, nearly all of them, are written straight from the store's columns (`RequestRowCSV`).
struct TimelineExport: ExportTarget {
    var name: String { "timeline" }
    var summary: String { "the timeline as Timesketch CSV or JSONL" }
    var usage: String { "export timeline FILE.csv|FILE.jsonl|- [--format csv|jsonl] [--filter \"TIMELINE FILTERS\"] [--provenance FILE] [--force]" }
    var options: [OptionSpec] {
        [.value("filter", "FILTERS", "timeline filters in quotes, e.g. \"--server EX01 --from -2d\""),
         ExportFile.formatOption(Self.formats), ExportFile.provenanceOption,
         .flag("force", "overwrite FILE if it exists")]
    }
    static let formats = ["csv", "jsonl"]

    /// Timesketch's required columns and exhunt's attributes, in the order written.
    static let columns = ["message", "datetime", "timestamp_desc", "timestamp", "server", "source", "channel", "event",
                          "file", "line", "sha256", "findings", "tag", "mark_note", "url_query"]

    func run(_ words: [String], in ctx: CommandContext) throws {
        guard words.count == 1 else { throw ShellError("usage: \(usage)") }
        let session = ctx.session
        let filter = try ctx.args.value("filter").map { try TimelineFilter.parse($0, command: "export timeline") } ?? TimelineFilter()
        let query = try TimelineQuery(filter, session: session, command: "export timeline")
        let file = try ExportFile(words[0], command: "export timeline", formats: Self.formats, in: ctx)
        let csv = file.format == "csv"
        let store = session.store
        // The findings column and tags are promised to Timesketch: the hunt runs first if it has not.
        let marks = CaseState.of(session).resolvedMarks(for: store), findings = session.findingCitationsRunningHunt()
        let rows = TimelineRowWriter(store, marks: marks, findings: findings, csv: csv)
        let (events, untimedEvents) = query.timedEvents(limit: filter.limit ?? Int.max)
        let written = try file.writing { file -> Int in
            if csv { try file.write(Array((Self.columns.joined(separator: ",") + "\n").utf8)) }
            let n = try store.pool.withStorage { pool in
                let requests = csv ? RequestRowCSV(store, general: rows, marks: marks, findings: findings, pool: pool) : nil
                return try ExportRows.write(events, to: file, label: "export timeline", in: ctx) { e, out in
                    requests?.append(e, to: &out) ?? rows.append(e, to: &out)
                }
            }
            try file.finish()
            return n
        }
        let untimed = untimedEvents.count
        if ctx.wantsJSON {
            file.result(.object([("file", .string(file.path)), ("format", .string(csv ? "csv" : "jsonl")), ("events", .int(written)),
                                 ("untimed_skipped", .int(untimed)), ("provenance_file", file.provenanceJSON)]), in: ctx)
        }
        if written == 0 { file.status("warning: no event to write: the export holds only its header, if any", in: ctx) }
        file.status("wrote \(LoadCommand.count(written, "event")) to \(file.shownName)"
                    + (untimed > 0 ? " (\(LoadCommand.count(untimed, "event")) without a time left out; Timesketch needs a time)" : "")
                    + file.provenanceNote, in: ctx)
    }

    /// A mark as Timesketch (and ECS `tags`) take it: the label, then the mark's own tags.
    static func tags(_ mark: CaseMark?) -> [String] {
        guard let m = mark else { return [] }
        return [m.label] + m.tags.filter { $0 != m.label }
    }

    /// What the time of an event means, per source.
    static func timestampDescription(_ source: String) -> String {
        switch source {
        case "httpproxy", "iis": "Request time"
        case "eventlog": "Event time"
        case "file-listing": "Last write time"
        case "text": "Line time"
        default: "Log time"
        }
    }
}

/// Renders timeline rows as Timesketch CSV or JSONL bytes. Safe to use from several threads at once: it only
/// reads the store, the marks and the findings.
struct TimelineRowWriter {
    let store: EventStore
    let marks: [EventID: CaseMark]
    let findings: FindingCitations?
    let csv: Bool
    /// The store's columns this writer reads per event, held here so worker threads read them directly.
    private let times: [Int64]
    private let fileIndex: [UInt32]
    private let lines: [UInt32]
    private let kinds: [SourceKind]
    private let requests: RequestColumns
    /// Per file, its constant cells already encoded — `timestamp_desc, server, source, channel, file, sha256` —
    /// back to back in one buffer (`constantSpans[6 × file + k]`), so a row copies them without retaining arrays.
    private let constants: [UInt8]
    private let constantSpans: [Range<Int>]

    init(_ store: EventStore, marks: [EventID: CaseMark], findings: FindingCitations?, csv: Bool) {
        self.store = store
        self.marks = marks
        self.findings = findings
        self.csv = csv
        times = store.time
        fileIndex = store.fileIndex
        lines = store.lineNumber
        kinds = store.files.map(\.kind)
        requests = RequestColumns(store)
        var flat = ExportBytes()
        var spans: [Range<Int>] = []
        for f in store.files {
            for value in [TimelineExport.timestampDescription(f.kind.rawValue), f.server, f.kind.rawValue, f.channel, store.citation(of: f), f.sha256] {
                let start = flat.bytes.count
                if csv { flat.appendCSV(value) } else { flat.appendJSON(value) }
                spans.append(start..<flat.bytes.count)
            }
        }
        constants = flat.bytes
        constantSpans = spans
    }

    /// Appends the row of `e`, or nothing when the event has no time; true when a row was written.
    func append(_ e: EventID, to out: inout ExportBytes) -> Bool {
        let time = times[e]
        if time == Timestamp.unknown { return false }
        let f = Int(fileIndex[e])
        var message: [UInt8] = []
        swap(&message, &out.scratch)
        message.removeAll(keepingCapacity: true)
        EventMessage.append(store, e, kind: kinds[f], requests: requests, into: &message)
        defer { out.scratch = message }
        let cited = findings?.findings(citing: e).joined(separator: ",") ?? ""
        let mark = marks.isEmpty ? nil : marks[e]
        var tags: [UInt8] = []
        if mark != nil {
            var list = ExportBytes()
            list.appendJSON(.strings(TimelineExport.tags(mark)))
            tags = list.bytes
        }
        constants.withUnsafeBytes { all in
            func c(_ k: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: all[constantSpans[6 * f + k]]) }
            if csv {
                message.withUnsafeBytes { out.appendCSV($0) }
                out.append(","); out.appendISO(time)
                out.append(","); out.append(c(0))
                out.append(","); out.append(int: Int(time) * 1000)
                out.append(","); out.append(c(1))
                out.append(","); out.append(c(2))
                out.append(","); out.append(c(3))
                out.append(","); out.append(int: e)
                out.append(","); out.append(c(4))
                out.append(","); out.append(int: Int(lines[e]))
                out.append(","); out.append(c(5))
                out.append(","); out.appendCSV(cited)
                out.append(","); if mark == nil { out.append("[]") } else { tags.withUnsafeBytes { out.appendCSV($0) } }
                out.append(","); out.appendCSV(mark?.note ?? "")
                out.append(","); store.withURLQuery(e) { out.appendCSV($0) }
                out.append("\n")
            } else {
                out.append("{\"message\":"); message.withUnsafeBytes { out.appendJSON($0) }
                out.append(",\"datetime\":\""); out.appendISO(time)
                out.append("\",\"timestamp_desc\":"); out.append(c(0))
                out.append(",\"timestamp\":"); out.append(int: Int(time) * 1000)
                out.append(",\"server\":"); out.append(c(1))
                out.append(",\"source\":"); out.append(c(2))
                out.append(",\"channel\":"); out.append(c(3))
                out.append(",\"event\":"); out.append(int: e)
                out.append(",\"file\":"); out.append(c(4))
                out.append(",\"line\":"); out.append(int: Int(lines[e]))
                out.append(",\"sha256\":"); out.append(c(5))
                out.append(",\"findings\":"); out.appendJSON(cited)
                out.append(",\"tag\":"); if mark == nil { out.append("[]") } else { out.append(tags) }
                out.append(",\"mark_note\":"); out.appendJSON(mark?.note ?? "")
                out.append(",\"url_query\":"); store.withURLQuery(e) { out.appendJSON($0) }
                out.append("}\n")
            }
        }
        return true
    }
}

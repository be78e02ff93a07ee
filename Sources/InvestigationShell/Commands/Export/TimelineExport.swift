import ExchangeEvidence
import Foundation

/// `export timeline FILE.csv|FILE.jsonl [--filter "…"]`: the timeline in Timesketch's import format —
/// the mandatory `message`, `datetime` (ISO 8601) and `timestamp_desc`, plus `timestamp` (µs), `server`,
/// `source`, `channel`, `event`, `file`, `line`, `sha256`, `findings`, and the marks as `tag`.
/// Events without a time are left out (Timesketch drops them) and counted.
struct TimelineExport: ExportTarget {
    var name: String { "timeline" }
    var summary: String { "the timeline as Timesketch CSV or JSONL" }
    var usage: String { "export timeline FILE.csv|FILE.jsonl [--filter \"TIMELINE FILTERS\"] [--force]" }
    var options: [OptionSpec] {
        [.value("filter", "FILTERS", "timeline filters in quotes, e.g. \"--server EX01 --from -2d\""),
         .flag("force", "overwrite FILE if it exists")]
    }

    /// Timesketch's required columns, in the order written.
    static let columns = ["message", "datetime", "timestamp_desc", "timestamp", "server", "source", "channel", "event",
                          "file", "line", "sha256", "findings", "tag", "mark_note"]

    func run(_ words: [String], in ctx: CommandContext) throws {
        let args = ctx.args
        guard words.count == 1 else { throw ShellError("usage: \(usage)") }
        let path = (words[0] as NSString).expandingTildeInPath
        let lower = path.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".jsonl") else {
            throw ShellError("export timeline: the file must end in .csv or .jsonl (Timesketch's import formats)")
        }
        let csv = lower.hasSuffix(".csv")
        let session = ctx.session
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        if session.store.files.contains(where: { URL(fileURLWithPath: $0.location).standardizedFileURL.path == target }) {
            throw ShellError("export timeline: \(TerminalText.escape(path)) is loaded evidence; evidence is never written")
        }
        if FileManager.default.fileExists(atPath: path) && !args.flag("force") {
            throw ShellError("export timeline: \(TerminalText.escape(path)) exists (--force to overwrite)")
        }
        let filter = try args.value("filter").map { try TimelineFilter.parse($0, command: "export timeline") } ?? TimelineFilter()
        let query = try TimelineQuery(filter, session: session, command: "export timeline")
        let marks = CaseState.of(session).resolvedMarks(for: session.store)
        let findings = session.findingCitations

        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial) else {
            throw ShellError("export timeline: cannot write \(TerminalText.escape(path))")
        }
        var written = 0, untimed = 0
        var buffer = csv ? Self.columns.joined(separator: ",") + "\n" : ""
        do {
            try query.forEach(limit: filter.limit ?? Int.max) { e in
                if session.store.time[e] == Timestamp.unknown { untimed += 1; return true }
                let row = TimelineRow(e, store: session.store, marks: marks, findings: findings)
                buffer += csv ? Self.csvLine(row) : Self.json(row).serialized() + "\n"
                written += 1
                if buffer.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                    try ctx.checkCancelled()
                }
                return true
            }
            try handle.write(contentsOf: Data(buffer.utf8))
            try handle.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error is ShellError ? error : ShellError("export timeline: \(error.localizedDescription)")
        }
        if ctx.wantsJSON {
            ctx.json(.object([("file", .string(path)), ("format", .string(csv ? "csv" : "jsonl")), ("events", .int(written)),
                              ("untimed_skipped", .int(untimed))]))
            return
        }
        ctx.line("wrote \(written) events to \(TerminalText.escape(path))"
                 + (untimed > 0 ? " (\(untimed) events without a time left out; Timesketch needs a time)" : ""))
    }

    /// Timesketch's `datetime`: ISO 8601 with an explicit UTC offset.
    static func datetime(_ ms: Int64) -> String { String(Timestamp.iso(ms).dropLast()) + "+00:00" }

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

    /// The marks as Timesketch tags: the label, then the mark's own tags.
    static func tags(_ row: TimelineRow) -> [String] {
        guard let m = row.mark else { return [] }
        return [m.label] + m.tags.filter { $0 != m.label }
    }

    static func fields(_ row: TimelineRow) -> [(String, JSONValue)] {
        [("message", .string(row.message)), ("datetime", .string(datetime(row.time))),
         ("timestamp_desc", .string(timestampDescription(row.source))), ("timestamp", .int(Int(row.time) * 1000)),
         ("server", .string(row.server)), ("source", .string(row.source)), ("channel", .string(row.channel)),
         ("event", .int(row.event)), ("file", .string(row.file)), ("line", .int(row.line)), ("sha256", .string(row.sha256)),
         ("findings", .string(row.findings.joined(separator: ","))), ("tag", .strings(tags(row))),
         ("mark_note", .string(row.mark?.note ?? ""))]
    }

    static func json(_ row: TimelineRow) -> JSONValue { .object(fields(row)) }

    /// One RFC 4180 line; `tag` is a JSON list, which Timesketch parses into tags.
    static func csvLine(_ row: TimelineRow) -> String {
        fields(row).map { _, v -> String in
            switch v {
            case .string(let s): return quote(s)
            case .int(let i): return String(i)
            default: return quote(v.serialized())
            }
        }.joined(separator: ",") + "\n"
    }

    static func quote(_ s: String) -> String {
        let needs = s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

import Dispatch
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
        do {
            if csv { try handle.write(contentsOf: Data((Self.columns.joined(separator: ",") + "\n").utf8)) }
            // Rows are rendered in parallel, a block of chunks at a time, and written in timeline order.
            let events = query.events(limit: filter.limit ?? Int.max)
            let store = session.store
            let chunk = 16_384, lanes = 8
            var next = 0
            while next < events.count {
                let end = min(events.count, next + chunk * lanes)
                let block = events[next..<end]
                var parts = [(text: String, rows: Int, untimed: Int)](repeating: ("", 0, 0), count: (block.count + chunk - 1) / chunk)
                parts.withUnsafeMutableBufferPointer { out in
                    let slots = out
                    DispatchQueue.concurrentPerform(iterations: slots.count) { k in
                        var text = "", rows = 0, skipped = 0
                        let lo = block.startIndex + k * chunk
                        for e in block[lo..<min(block.endIndex, lo + chunk)] {
                            if store.time[e] == Timestamp.unknown { skipped += 1; continue }
                            let row = TimelineRow(e, store: store, marks: marks, findings: findings)
                            text += csv ? Self.csvLine(row) : Self.jsonLine(row)
                            rows += 1
                        }
                        slots[k] = (text, rows, skipped)
                    }
                }
                for part in parts {
                    try handle.write(contentsOf: Data(part.text.utf8))
                    written += part.rows
                    untimed += part.untimed
                }
                try ctx.checkCancelled()
                next = end
            }
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

    /// One JSON line, the same text `JSONValue.serialized()` gives, without building the tree: printable ASCII
    /// strings (nearly all log text) are copied as they are.
    static func jsonLine(_ row: TimelineRow) -> String {
        var out = "{"
        for (i, (key, value)) in fields(row).enumerated() {
            if i > 0 { out += "," }
            out += "\"" + key + "\":"
            switch value {
            case .string(let s): appendJSON(s, to: &out)
            case .int(let n): out += String(n)
            default: out += value.serialized()
            }
        }
        return out + "}\n"
    }

    static func appendJSON(_ s: String, to out: inout String) {
        for b in s.utf8 where b < 0x20 || b > 0x7E || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            JSONValue.quote(s, into: &out)
            return
        }
        out += "\"" + s + "\""
    }

    /// One RFC 4180 line of neutralised cells (`CSVCell`); `tag` is a JSON list, which Timesketch parses into tags.
    static func csvLine(_ row: TimelineRow) -> String {
        fields(row).map { _, v -> String in
            switch v {
            case .string(let s): return CSVCell.field(s)
            case .int(let i): return String(i)
            default: return CSVCell.field(v.serialized())
            }
        }.joined(separator: ",") + "\n"
    }
}

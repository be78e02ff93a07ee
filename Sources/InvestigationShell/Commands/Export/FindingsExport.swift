import ExchangeEvidence
import Foundation

/// `export findings FILE.ndjson|FILE.jsonl|FILE.csv`: the hunt's findings for the tools a fleet's results
/// meet in — an Elasticsearch/OpenSearch bulk request with ECS fields (`.ndjson`, `event.kind: alert`), or
/// Timesketch's JSONL/CSV import format (`.jsonl`, `.csv`) beside `export timeline`'s events.
///
/// Runs `hunt` first when it has not run on the loaded evidence. Findings without a time are left out (both
/// tools need one) and named.
struct FindingsExport: ExportTarget {
    var name: String { "findings" }
    var summary: String { "the hunt's findings as Elasticsearch bulk NDJSON (ECS) or Timesketch CSV/JSONL" }
    var usage: String { "export findings FILE.ndjson|FILE.jsonl|FILE.csv [--index NAME] [--force]" }
    var options: [OptionSpec] {
        [.value("index", "NAME", "index or data stream for the bulk action lines (default exhunt-findings)"),
         .flag("force", "overwrite FILE if it exists")]
    }

    /// Timesketch columns, in the order written.
    static let columns = ["message", "datetime", "timestamp_desc", "timestamp", "server", "finding", "rule", "title",
                          "severity", "cves", "summary", "events", "cites", "tag"]
    /// ECS `event.severity` for exhunt's severities.
    static let severityNumber = ["info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5]

    func run(_ words: [String], in ctx: CommandContext) throws {
        guard words.count == 1 else { throw ShellError("usage: \(usage)") }
        let session = ctx.session
        let index = try BulkAction.index(ctx.args.value("index") ?? "exhunt-findings", command: "export findings")
        let file = try ExportFile(words[0], command: "export findings", formats: ["ndjson", "jsonl", "csv"], in: ctx)
        let citations = session.findingCitationsRunningHunt()
        let store = session.store
        let marks = CaseState.of(session).resolvedMarks(for: store)
        var untimed: [String] = []
        var out = ExportBytes()
        if file.format == "csv" { out.append(Array((Self.columns.joined(separator: ",") + "\n").utf8)) }
        for id in citations.findingIDs {
            guard let facts = citations.facts(ofFinding: id) else { continue }
            guard facts.time != Timestamp.unknown else { untimed.append(id); continue }
            let events = citations.events(ofFinding: id) ?? []
            let cites = events.map { "\(store.file(of: $0).path):\(store.line(of: $0))" }
            let mark = events.lazy.compactMap { marks[$0] }.first { $0.finding == id } ?? events.lazy.compactMap { marks[$0] }.first
            let tags = [facts.severity] + TimelineExport.tags(mark)
            let shown = cites.prefix(3).joined(separator: ", ") + (cites.count > 3 ? " +\(cites.count - 3)" : "")
            let message = "[\(facts.severity.uppercased())] \(facts.rule): \(facts.title) — \(facts.summary)"
            switch file.format {
            case "ndjson":
                var pairs: [(String, JSONValue)] = [
                    ("@timestamp", .string(Timestamp.iso(facts.time))), ("message", .string(message)),
                    ("event.kind", .string("alert")), ("event.dataset", .string("exhunt.findings")),
                    ("event.severity", .int(Self.severityNumber[facts.severity] ?? 0)), ("host.name", .string(facts.server)),
                    ("rule.id", .string(facts.rule)), ("rule.name", .string(facts.title)),
                ]
                if !facts.cves.isEmpty { pairs.append(("vulnerability.id", .strings(facts.cves))) }
                if let first = events.first { pairs.append(("log.file.path", .string(store.file(of: first).path))) }
                pairs += [("tags", .strings(tags)), ("exhunt.finding.id", .string(id)), ("exhunt.finding.severity", .string(facts.severity)),
                          ("exhunt.finding.summary", .string(facts.summary)), ("exhunt.finding.events", .array(events.map { .int($0) })),
                          ("exhunt.finding.cites", .strings(cites))]
                if let m = mark {
                    pairs += [("exhunt.mark.label", .string(m.label)), ("exhunt.mark.note", .string(m.note)),
                              ("exhunt.mark.tags", .strings(m.tags)), ("exhunt.mark.user", .string(m.user))]
                }
                out.append(BulkAction.line(index: index))
                out.append(Array(ECSDocument.serialized(pairs).utf8))
                out.append("\n")
            default:
                let row: [(String, JSONValue)] = [
                    ("message", .string(message)), ("datetime", .string(String(Timestamp.iso(facts.time).dropLast()) + "+00:00")),
                    ("timestamp_desc", .string("First event time")), ("timestamp", .int(Int(facts.time) * 1000)),
                    ("server", .string(facts.server)), ("finding", .string(id)), ("rule", .string(facts.rule)),
                    ("title", .string(facts.title)), ("severity", .string(facts.severity)),
                    ("cves", .string(facts.cves.joined(separator: ","))), ("summary", .string(facts.summary)),
                    ("events", .int(events.count)), ("cites", .string(shown)), ("tag", .strings(tags)),
                ]
                if file.format == "jsonl" {
                    out.append(Array((JSONValue.object(row).serialized() + "\n").utf8))
                } else {
                    for (i, (_, value)) in row.enumerated() {
                        if i > 0 { out.append(",") }
                        switch value {
                        case .string(let s): out.appendCSV(s)
                        case .int(let n): out.append(int: n)
                        default: out.appendCSV(value.serialized())
                        }
                    }
                    out.append("\n")
                }
            }
        }
        let written = citations.findingIDs.count - untimed.count
        try file.writing { file in
            try file.write(out.bytes)
            try file.finish()
        }
        if ctx.wantsJSON {
            ctx.json(.object([("file", .string(file.path)), ("format", .string(file.format == "ndjson" ? "ecs-bulk" : file.format)),
                              ("findings", .int(written)), ("untimed_skipped", .strings(untimed)),
                              ("provenance_file", .string(file.provenancePath))]))
            return
        }
        ctx.status("wrote \(written) finding\(written == 1 ? "" : "s") to \(TerminalText.escape(file.path))"
                 + (untimed.isEmpty ? "" : " (left out, no time: \(untimed.joined(separator: ", ")))"))
    }
}

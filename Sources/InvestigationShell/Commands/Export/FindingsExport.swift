import ExchangeEvidence
import Foundation

/// `export findings FILE.ndjson|FILE.jsonl|FILE.csv`: the hunt's findings for the tools a fleet's results
/// meet in — an Elasticsearch/OpenSearch bulk request with ECS fields (`.ndjson`, `event.kind: alert`), or
/// Timesketch's JSONL/CSV import format (`.jsonl`, `.csv`) beside `export timeline`'s events.
///
/// Runs `hunt` first when it has not run on the loaded evidence. A finding without a time (a collected web shell
/// with no listing row) is written to NDJSON without `@timestamp` (a bulk document is valid without one; a data
/// stream refuses it) and tagged `untimed`; it is left out of Timesketch's JSONL and CSV, since one row without
/// a datetime makes Timesketch refuse a whole JSONL file (reviewer: every finding of a set was lost so). The
/// message names those findings and says which tool takes them.
struct FindingsExport: ExportTarget {
    var name: String { "findings" }
    var summary: String { "the hunt's findings as Elasticsearch bulk NDJSON (ECS) or Timesketch CSV/JSONL" }
    static let formats = ["ndjson", "jsonl", "csv"]
    var usage: String { "export findings FILE.ndjson|FILE.jsonl|FILE.csv|- [--format ndjson|jsonl|csv] [--index NAME] [--provenance FILE] [--force]" }
    var options: [OptionSpec] {
        [.value("index", "NAME", "index or data stream for the bulk action lines (default exhunt-findings)"),
         ExportFile.formatOption(Self.formats), ExportFile.provenanceOption,
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
        // Refused before the file is opened, so no partial file is left.
        if ctx.args.has("index"), try ExportFile.format(of: words[0], among: Self.formats, args: ctx.args, command: "export findings") != "ndjson" {
            throw ShellError("export findings: --index names the index of a bulk request, written as NDJSON only (FILE.ndjson, or - with --format ndjson)")
        }
        let file = try ExportFile(words[0], command: "export findings", formats: Self.formats, in: ctx)
        let citations = session.findingCitationsRunningHunt()
        let store = session.store
        let marks = CaseState.of(session).resolvedMarks(for: store)
        let ids = citations.findingIDs
        let untimed = UntimedFindings()
        let format = file.format
        // Rows rendered on all cores in blocks and written in finding order as they are made (a Sigma folder's
        // millions of findings were built into one buffer on one core, then written).
        let written = try file.writing { file -> Int in
            if format == "csv" { try file.write(Array((Self.columns.joined(separator: ",") + "\n").utf8)) }
            let n = try ExportRows.write(Array(ids.indices), to: file, label: "export findings", unit: "findings", in: ctx) { k, out in
                let id = ids[k]
                guard let facts = citations.facts(ofFinding: id) else { return false }
                if facts.time == Timestamp.unknown {
                    untimed.add(id)
                    if format != "ndjson" { return false }
                }
                Self.row(id, facts, events: citations.events(ofFinding: id) ?? [], format: format, index: index, store: store, marks: marks, into: &out)
                return true
            }
            try file.finish()
            return n
        }
        let timeless = untimed.ids.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
        if ctx.wantsJSON {
            file.result(.object([("file", .string(file.path)), ("format", .string(file.format == "ndjson" ? "ecs-bulk" : file.format)),
                                 ("findings", .int(written)), ("untimed", .strings(timeless)),
                                 ("untimed_skipped", .int(format == "ndjson" ? 0 : timeless.count)),
                                 ("provenance_file", file.provenanceJSON)]), in: ctx)
        }
        if written == 0 && timeless.isEmpty {
            file.status("warning: no finding to write" + (file.format == "ndjson" ? ": the export is empty, and the bulk API refuses an empty body" : ""), in: ctx)
        }
        file.status("wrote \(LoadCommand.count(written, "finding")) to \(file.shownName)"
                  + (timeless.isEmpty ? "" : Self.untimedNote(timeless, format: format))
                  + (file.toStandardOutput ? file.provenanceNote : ""), in: ctx)
    }

    /// What became of findings without a time in `format`, and which tool takes them.
    static func untimedNote(_ ids: [String], format: String) -> String {
        let one = ids.count == 1
        let head = "; \(ids.joined(separator: ", ")) \(one ? "has" : "have") no time: "
        if format == "ndjson" {
            return head + "written without @timestamp, tagged 'untimed' (an index takes \(one ? "it" : "them");"
                + " a data stream refuses a document without @timestamp)"
        }
        return head + "left out (" + (format == "jsonl" ? "Timesketch refuses a whole JSONL file with a row without a datetime"
                                                        : "Timesketch drops a CSV row without a datetime")
            + "); export findings FILE.ndjson keeps \(one ? "it" : "them")"
    }

    /// Appends finding `id`'s row in `format`: a bulk action and ECS document, a Timesketch JSON line or CSV row.
    static func row(_ id: String, _ facts: FindingFacts, events: [EventID], format: String, index: String, store: EventStore,
                    marks: [EventID: CaseMark], into out: inout ExportBytes) {
        func cite(_ e: EventID) -> String { store.citation(of: e) }
        let mark = events.lazy.compactMap { marks[$0] }.first { $0.finding == id } ?? events.lazy.compactMap { marks[$0] }.first
        let timed = facts.time != Timestamp.unknown
        let tags = [facts.severity] + (timed ? [] : ["untimed"]) + TimelineExport.tags(mark)
        let message = "[\(facts.severity.uppercased())] \(facts.rule): \(facts.title) — \(facts.summary)"
        switch format {
        case "ndjson":
            var pairs: [(String, JSONValue)] = timed ? [("@timestamp", .string(Timestamp.iso(facts.time)))] : []
            pairs += [
                ("message", .string(message)),
                ("event.kind", .string("alert")), ("event.dataset", .string("exhunt.findings")),
                ("event.severity", .int(severityNumber[facts.severity] ?? 0)), ("host.name", .string(facts.server)),
                ("rule.id", .string(facts.rule)), ("rule.name", .string(facts.title)),
            ]
            if !facts.cves.isEmpty { pairs.append(("vulnerability.id", .strings(facts.cves))) }
            // The path as the log has it (ECS), beside the set it was loaded from, as `export events` gives both.
            if let first = events.first {
                let file = store.file(of: first)
                pairs += [("log.file.path", .string(file.path)), ("exhunt.evidence_set", .string(file.evidenceSet))]
            }
            pairs += [("tags", .strings(tags)), ("exhunt.finding.id", .string(id)), ("exhunt.finding.severity", .string(facts.severity)),
                      ("exhunt.finding.summary", .string(facts.summary)), ("exhunt.finding.events", .array(events.map { .int($0) })),
                      ("exhunt.finding.cites", .strings(events.map(cite)))]
            if let m = mark {
                pairs += [("exhunt.mark.label", .string(m.label)), ("exhunt.mark.note", .string(m.note)),
                          ("exhunt.mark.tags", .strings(m.tags)), ("exhunt.mark.user", .string(m.user))]
            }
            out.append(BulkAction.line(index: index))
            out.append(Array(ECSDocument.serialized(pairs).utf8))
            out.append("\n")
        default:
            let row: [(String, JSONValue)] = [
                ("message", .string(message)),
                // Only timed findings reach Timesketch's formats (`run`).
                ("datetime", .string(String(Timestamp.iso(facts.time).dropLast()) + "+00:00")),
                ("timestamp_desc", .string("First event time")),
                ("timestamp", .int(Int(facts.time) * 1000)),
                ("server", .string(facts.server)), ("finding", .string(id)), ("rule", .string(facts.rule)),
                ("title", .string(facts.title)), ("severity", .string(facts.severity)),
                ("cves", .string(facts.cves.joined(separator: ","))), ("summary", .string(facts.summary)),
                ("events", .int(events.count)), ("cites", .string(ReportFinding.citation(events.prefix(3).map(cite), count: events.count))),
                ("tag", .strings(tags)),
            ]
            if format == "jsonl" {
                out.appendJSON(.object(row))
                out.append("\n")
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
}

/// Ids of findings written without a time, collected from the rendering threads.
private final class UntimedFindings: @unchecked Sendable {
    private var list: [String] = []
    private let lock = NSLock()
    func add(_ id: String) { lock.withLock { list.append(id) } }
    var ids: [String] { lock.withLock { list } }
}

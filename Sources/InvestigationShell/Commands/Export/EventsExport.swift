import ExchangeEvidence
import Foundation

/// `export events FILE.ndjson [--index NAME] [--filter "…"]`: the events as an Elasticsearch/OpenSearch
/// bulk request — an action line (`{"create":{"_index":…}}`) before each document — with ECS field names
/// (`ECSMapping`), so a fleet's evidence can be searched in the cluster a team already runs
/// (`curl -H 'Content-Type: application/x-ndjson' --data-binary @FILE.ndjson HOST/_bulk`).
///
/// `create` works for indexes and data streams alike. Events without a time are left out (a data stream
/// refuses documents without `@timestamp`) and counted.
struct EventsExport: ExportTarget {
    var name: String { "events" }
    var summary: String { "the events as Elasticsearch/OpenSearch bulk NDJSON with ECS fields" }
    var usage: String { "export events FILE.ndjson [--index NAME] [--filter \"TIMELINE FILTERS\"] [--force]" }
    var options: [OptionSpec] {
        [.value("index", "NAME", "index or data stream for the bulk action lines (default exhunt-events)"),
         .value("filter", "FILTERS", "timeline filters in quotes, e.g. \"--server EX01 --from -2d\""),
         .flag("force", "overwrite FILE if it exists")]
    }

    func run(_ words: [String], in ctx: CommandContext) throws {
        guard words.count == 1 else { throw ShellError("usage: \(usage)") }
        let session = ctx.session
        let index = try BulkAction.index(ctx.args.value("index") ?? "exhunt-events", command: "export events")
        let filter = try ctx.args.value("filter").map { try TimelineFilter.parse($0, command: "export events") } ?? TimelineFilter()
        let query = try TimelineQuery(filter, session: session, command: "export events")
        let mapping = try ECSMapping.standard()
        let file = try ExportFile(words[0], command: "export events", formats: ["ndjson"], in: ctx)
        let store = session.store
        let marks = CaseState.of(session).resolvedMarks(for: store)
        let findings = session.findingCitations
        let action = BulkAction.line(index: index)
        let events = query.events(limit: filter.limit ?? Int.max)
        let written = try file.writing { file -> Int in
            let n = try ExportRows.write(events, to: file, label: "export events", in: ctx) { e, out in
                guard store.time[e] != Timestamp.unknown else { return false }
                out.append(action)
                out.appendJSON(ECSFields.document(e, store: store, mapping: mapping, mark: marks[e],
                                                  findings: findings?.findings(citing: e) ?? []))
                out.append("\n")
                return true
            }
            try file.finish()
            return n
        }
        let untimed = events.count - written
        if ctx.wantsJSON {
            ctx.json(.object([("file", .string(file.path)), ("format", .string("ecs-bulk")), ("index", .string(index)),
                              ("events", .int(written)), ("untimed_skipped", .int(untimed)),
                              ("provenance_file", .string(file.provenancePath))]))
            return
        }
        ctx.status("wrote \(written) events to \(TerminalText.escape(file.path)) (bulk NDJSON for index \(index))"
                 + (untimed > 0 ? " (\(untimed) events without a time left out)" : ""))
    }
}

/// The bulk API's action line.
enum BulkAction {
    static func line(index: String) -> [UInt8] {
        Array((JSONValue.object([("create", .object([("_index", .string(index))]))]).serialized() + "\n").utf8)
    }

    /// Checks an index name against Elasticsearch's rules (lower case; none of `\ / * ? " < > | , #` or
    /// spaces; not starting with `-`, `_` or `+`), so a typo fails here rather than in the cluster.
    static func index(_ name: String, command: String) throws -> String {
        let forbidden = Set("\\/*?\"<>|, #:")
        guard !name.isEmpty, name == name.lowercased(), !name.contains(where: { forbidden.contains($0) }),
              !["-", "_", "+"].contains(name.first!), name != ".", name != "..", name.utf8.count <= 255 else {
            throw ShellError("\(command): '\(TerminalText.escape(name))' is not a valid index name (lower case, no spaces or \\ / * ? \" < > | , # :)")
        }
        return name
    }
}

/// The fields exhunt itself sets on exported ECS documents (beside those `ECSMapping` maps).
enum ECSFields {
    static let fixed = ["@timestamp", "message", "host.name", "event.kind", "event.dataset", "event.original",
                        "log.file.path", "tags", "exhunt.event", "exhunt.line", "exhunt.sha256", "exhunt.evidence_set",
                        "exhunt.source", "exhunt.channel", "exhunt.findings", "exhunt.mark.label", "exhunt.mark.note",
                        "exhunt.mark.tags", "exhunt.mark.user"]

    /// Sources whose stored line is the evidence's own text, kept as `event.original`.
    static let textSources: Set<String> = ["httpproxy", "iis", "ecp-server", "ecp-activity", "oab-generator", "exchange-log", "text"]

    static func document(_ e: EventID, store: EventStore, mapping: ECSMapping, mark: CaseMark?, findings: [String]) -> JSONValue {
        let f = store.file(of: e)
        var pairs: [(String, JSONValue)] = [
            ("@timestamp", .string(Timestamp.iso(store.time[e]))),
            ("message", .string(EventMessage.build(store, e))),
            ("host.name", .string(f.server)),
            ("event.kind", .string("event")),
            ("event.dataset", .string("exhunt." + f.kind.rawValue)),
        ]
        pairs += mapping.fields(of: e, in: store)
        if textSources.contains(f.kind.rawValue) { pairs.append(("event.original", .string(store.rawLine(e)))) }
        pairs += [("log.file.path", .string(f.path)), ("exhunt.event", .int(e)), ("exhunt.line", .int(store.line(of: e))),
                  ("exhunt.sha256", .string(f.sha256)), ("exhunt.evidence_set", .string(f.evidenceSet)),
                  ("exhunt.source", .string(f.kind.rawValue))]
        if !f.channel.isEmpty { pairs.append(("exhunt.channel", .string(f.channel))) }
        if !findings.isEmpty { pairs.append(("exhunt.findings", .strings(findings))) }
        if let m = mark {
            pairs += [("tags", .strings(TimelineExport.tags(m))), ("exhunt.mark.label", .string(m.label)),
                      ("exhunt.mark.note", .string(m.note)), ("exhunt.mark.tags", .strings(m.tags)), ("exhunt.mark.user", .string(m.user))]
        }
        return ECSDocument.nest(pairs)
    }
}

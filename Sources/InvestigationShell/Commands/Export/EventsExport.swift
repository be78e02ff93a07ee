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
        let findings = session.findingCitationsRunningHunt()   // `exhunt.findings` is filled whether or not `hunt` ran
        let action = BulkAction.line(index: index)
        let events = query.events(limit: filter.limit ?? Int.max)
        let document = ECSFields(store: store, mapping: mapping)
        let written = try file.writing { file -> Int in
            let n = try ExportRows.write(events, to: file, label: "export events", in: ctx) { e, out in
                guard store.time[e] != Timestamp.unknown else { return false }
                out.append(action)
                document.write(e, mark: marks.isEmpty ? nil : marks[e], findings: findings.findings(citing: e), into: &out)
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
        // Which ones, so that a collected web shell (a file, no time) is not lost from sight.
        let examples = untimed == 0 ? [] : events.lazy.filter { store.time[$0] == Timestamp.unknown }.prefix(3)
            .map { store.citation(of: $0) }
        ctx.status("wrote \(written) events to \(TerminalText.escape(file.path)) (bulk NDJSON for index \(index))"
                 + (untimed > 0 ? " (\(untimed) events without a time left out, a data stream refuses them: "
                    + TerminalText.escape(examples.joined(separator: ", ")) + (untimed > 3 ? ", …" : "") + ")" : ""))
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

/// The fields exhunt itself sets on exported ECS documents (beside those `ECSMapping` maps), and the writer of
/// one event's document: bytes straight from the store's columns, no JSON tree per event.
struct ECSFields {
    static let fixed = ["@timestamp", "message", "host.name", "event.kind", "event.dataset", "event.original",
                        "log.file.path", "tags", "exhunt.event", "exhunt.line", "exhunt.sha256", "exhunt.evidence_set",
                        "exhunt.source", "exhunt.channel", "exhunt.findings", "exhunt.mark.label", "exhunt.mark.note",
                        "exhunt.mark.tags", "exhunt.mark.user"]

    /// Sources whose stored line is the evidence's own text, kept as `event.original`.
    static let textSources: Set<String> = ["httpproxy", "iis", "ecp-server", "ecp-activity", "oab-generator", "exchange-log", "text"]

    let store: EventStore
    let mapping: ECSMapping
    /// Per file, what every event of it carries, taken once: kind, server, path, hash, evidence set, channel.
    private let files: [EvidenceFile]
    private let fileIndex: [UInt32]
    private let requests: RequestColumns

    init(store: EventStore, mapping: ECSMapping) {
        self.store = store
        self.mapping = mapping
        files = store.files
        fileIndex = store.fileIndex
        requests = RequestColumns(store)
    }

    private static let fixedPaths: [String: [String]] = Dictionary(uniqueKeysWithValues: fixed.map { ($0, $0.split(separator: ".").map(String.init)) })

    private static func path(_ dotted: String) -> [String] { fixedPaths[dotted]! }

    /// Writes the ECS document of event `e` (one line, no line end) into `out`.
    func write(_ e: EventID, mark: CaseMark?, findings: [String], into out: inout ExportBytes) {
        let f = files[Int(fileIndex[e])]
        let kind = f.kind
        var message: [UInt8] = []
        EventMessage.append(store, e, kind: kind, requests: requests, into: &message)
        var pairs: [ECSPair] = [
            ECSPair(Self.path("@timestamp"), .time(store.time[e])),
            ECSPair(Self.path("message"), .utf8(message)),
            ECSPair(Self.path("host.name"), .json(.string(f.server))),
            ECSPair(Self.path("event.kind"), .json(.string("event"))),
            ECSPair(Self.path("event.dataset"), .json(.string("exhunt." + kind.rawValue))),
        ]
        pairs.reserveCapacity(24)
        mapping.fields(of: e, kind: kind, in: store, into: &pairs)
        if Self.textSources.contains(kind.rawValue) {
            pairs.append(ECSPair(Self.path("event.original"), .utf8(store.withRawLine(e) { Array($0) })))
        }
        pairs += [ECSPair(Self.path("log.file.path"), .json(.string(f.path))), ECSPair(Self.path("exhunt.event"), .json(.int(e))),
                  ECSPair(Self.path("exhunt.line"), .json(.int(store.line(of: e)))), ECSPair(Self.path("exhunt.sha256"), .json(.string(f.sha256))),
                  ECSPair(Self.path("exhunt.evidence_set"), .json(.string(f.evidenceSet))),
                  ECSPair(Self.path("exhunt.source"), .json(.string(kind.rawValue)))]
        if !f.channel.isEmpty { pairs.append(ECSPair(Self.path("exhunt.channel"), .json(.string(f.channel)))) }
        if !findings.isEmpty { pairs.append(ECSPair(Self.path("exhunt.findings"), .json(.strings(findings)))) }
        if let m = mark {
            pairs += [ECSPair(Self.path("tags"), .json(.strings(TimelineExport.tags(m)))),
                      ECSPair(Self.path("exhunt.mark.label"), .json(.string(m.label))),
                      ECSPair(Self.path("exhunt.mark.note"), .json(.string(m.note))),
                      ECSPair(Self.path("exhunt.mark.tags"), .json(.strings(m.tags))),
                      ECSPair(Self.path("exhunt.mark.user"), .json(.string(m.user)))]
        }
        ECSDocument.write(pairs, into: &out)
    }
}

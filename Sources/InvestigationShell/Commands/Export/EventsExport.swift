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
    var usage: String { "export events FILE.ndjson|- [--index NAME] [--filter \"TIMELINE FILTERS\"] [--provenance FILE] [--force]" }
    var options: [OptionSpec] {
        [.value("index", "NAME", "index or data stream for the bulk action lines (default exhunt-events)"),
         .value("filter", "FILTERS", "timeline filters in quotes, e.g. \"--server EX01 --from -2d\""),
         ExportFile.formatOption(["ndjson"]), ExportFile.provenanceOption,
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
        let (events, untimedEvents) = query.timedEvents(limit: filter.limit ?? Int.max)
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
        let untimed = untimedEvents.count
        if ctx.wantsJSON {
            file.result(.object([("file", .string(file.path)), ("format", .string("ecs-bulk")), ("index", .string(index)),
                                 ("events", .int(written)), ("untimed_skipped", .int(untimed)),
                                 ("provenance_file", file.provenanceJSON)]), in: ctx)
        }
        // Which ones, so that a collected web shell (a file, no time) is not lost from sight.
        let examples = untimedEvents.prefix(3).map { store.citation(of: $0) }
        if written == 0 { file.status("warning: no event to write: the export is empty, and the bulk API refuses an empty body", in: ctx) }
        file.status("wrote \(LoadCommand.count(written, "event")) to \(file.shownName) (bulk NDJSON for index \(index))"
                  + (untimed > 0 ? " (\(LoadCommand.count(untimed, "event")) without a time left out, a data stream refuses them: "
                     + TerminalText.escape(examples.joined(separator: ", ")) + (untimed > 3 ? ", …" : "") + ")" : "")
                  + (file.toStandardOutput ? file.provenanceNote : ""), in: ctx)
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
/// one event's document: bytes straight from the store's columns and from each file's values spelled once.
struct ECSFields {
    static let fixed = ["@timestamp", "message", "host.name", "event.kind", "event.dataset", "event.original",
                        "log.file.path", "tags", "exhunt.event", "exhunt.line", "exhunt.sha256", "exhunt.evidence_set",
                        "exhunt.source", "exhunt.channel", "exhunt.findings", "exhunt.mark.label", "exhunt.mark.note",
                        "exhunt.mark.tags", "exhunt.mark.user"]

    /// Sources whose stored line is the evidence's own text, kept as `event.original`.
    static let textSources: Set<String> = ["httpproxy", "iis", "ecp-server", "ecp-activity", "oab-generator", "exchange-log", "text"]

    let store: EventStore
    let mapping: ECSMapping
    private let columns: ECSColumns
    private let fileIndex: [UInt32]
    private let requests: RequestColumns
    /// Per file, what every event of it carries, spelled as JSON once (`spelled`).
    private let files: [FileFields]
    private let spelled: [UInt8]
    private let paths: Paths

    /// A file's values as ranges of `spelled`, its kind, and its plan in the mapping.
    private struct FileFields {
        let kind: SourceKind
        let plan: Int
        let isText: Bool
        let server, dataset, path, sha256, evidenceSet, source: Range<Int>
        /// Empty when the file has no channel.
        let channel: Range<Int>
    }

    /// The fixed fields' paths.
    private struct Paths {
        let timestamp, message, host, kind, dataset, original, file, event, line, sha256, evidenceSet, source, channel,
            findings, tags, markLabel, markNote, markTags, markUser: ECSPath

        init(_ k: ECSKeys) {
            (timestamp, message, host, kind, dataset) = (k.path("@timestamp"), k.path("message"), k.path("host.name"),
                                                         k.path("event.kind"), k.path("event.dataset"))
            (original, file, event, line, sha256) = (k.path("event.original"), k.path("log.file.path"), k.path("exhunt.event"),
                                                     k.path("exhunt.line"), k.path("exhunt.sha256"))
            (evidenceSet, source, channel, findings) = (k.path("exhunt.evidence_set"), k.path("exhunt.source"),
                                                        k.path("exhunt.channel"), k.path("exhunt.findings"))
            (tags, markLabel, markNote, markTags, markUser) = (k.path("tags"), k.path("exhunt.mark.label"), k.path("exhunt.mark.note"),
                                                               k.path("exhunt.mark.tags"), k.path("exhunt.mark.user"))
        }
    }

    init(store: EventStore, mapping: ECSMapping) {
        self.store = store
        self.mapping = mapping
        columns = ECSColumns(store)
        fileIndex = store.fileIndex
        requests = RequestColumns(store)
        paths = Paths(mapping.keys)
        var text = ExportBytes()
        func spell(_ s: String) -> Range<Int> {
            let start = text.bytes.count
            text.appendJSON(s)
            return start..<text.bytes.count
        }
        files = store.files.map { f in
            FileFields(kind: f.kind, plan: mapping.plan(for: f.kind), isText: Self.textSources.contains(f.kind.rawValue),
                       server: spell(f.server), dataset: spell("exhunt." + f.kind.rawValue), path: spell(f.path),
                       sha256: spell(f.sha256), evidenceSet: spell(f.evidenceSet), source: spell(f.kind.rawValue),
                       channel: f.channel.isEmpty ? 0..<0 : spell(f.channel))
        }
        spelled = text.bytes
    }

    /// Writes the ECS document of event `e` (one line, no line end) into `out`.
    func write(_ e: EventID, mark: CaseMark?, findings: [String], into out: inout ExportBytes) {
        let document = out.document ?? ECSDocument()
        out.document = document
        document.reset()
        let f = files[Int(fileIndex[e])]
        spelled.withUnsafeBytes { spelled in
            func add(_ path: ECSPath, _ range: Range<Int>) { document.add(path) { $0.append(UnsafeRawBufferPointer(rebasing: spelled[range])) } }
            document.add(paths.timestamp) { v in
                v.append("\"")
                v.appendISO(store.time[e], zulu: true)
                v.append("\"")
            }
            document.text.removeAll(keepingCapacity: true)
            EventMessage.append(store, e, kind: f.kind, requests: requests, into: &document.text)
            document.add(paths.message) { v in document.text.withUnsafeBytes { v.appendJSON($0) } }
            add(paths.host, f.server)
            document.add(paths.kind) { $0.append("\"event\"") }
            add(paths.dataset, f.dataset)
            mapping.fields(of: e, plan: f.plan, from: columns, into: document)
            if f.isText { document.add(paths.original) { v in store.withRawLine(e) { v.appendJSON($0) } } }
            add(paths.file, f.path)
            document.add(paths.event) { $0.append(int: e) }
            document.add(paths.line) { $0.append(int: store.line(of: e)) }
            add(paths.sha256, f.sha256)
            add(paths.evidenceSet, f.evidenceSet)
            add(paths.source, f.source)
            if !f.channel.isEmpty { add(paths.channel, f.channel) }
        }
        if !findings.isEmpty { document.add(paths.findings) { $0.appendJSON(.strings(findings)) } }
        if let m = mark {
            document.add(paths.tags) { $0.appendJSON(.strings(TimelineExport.tags(m))) }
            document.add(paths.markLabel) { $0.appendJSON(m.label) }
            document.add(paths.markNote) { $0.appendJSON(m.note) }
            document.add(paths.markTags) { $0.appendJSON(.strings(m.tags)) }
            document.add(paths.markUser) { $0.appendJSON(m.user) }
        }
        document.write(keys: mapping.keys, into: &out)
    }
}

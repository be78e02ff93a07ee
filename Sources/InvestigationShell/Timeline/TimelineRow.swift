import ExchangeEvidence

/// One timeline line, as the timeline, the export and the report show it. Text fields hold evidence
/// unescaped: every renderer escapes for its medium.
public struct TimelineRow {
    public var event: EventID
    public var time: Int64
    public var server: String
    /// The source kind (`httpproxy`), and its channel (`Ecp`, `W3SVC1`, an event log channel) if any.
    public var source: String
    public var channel: String
    public var message: String
    public var file: String
    public var line: Int
    public var sha256: String
    public var mark: CaseMark?
    public var findings: [String]

    public init(_ e: EventID, store: EventStore, marks: [EventID: CaseMark], findings: FindingCitations?) {
        let f = store.file(of: e)
        event = e
        time = store.time[e]
        server = f.server
        source = f.kind.rawValue
        channel = f.channel
        message = EventMessage.build(store, e)
        file = store.citation(of: f)
        line = store.line(of: e)
        sha256 = f.sha256
        mark = marks[e]
        self.findings = findings?.findings(citing: e) ?? []
    }

    /// `kind/channel`, the form `--source` accepts.
    public var sourceLabel: String { channel.isEmpty ? source : "\(source)/\(channel)" }

    /// The JSON line of `timeline --json` (keys documented in help/timeline.md).
    public var json: JSONValue {
        .object([
            ("event", .int(event)), ("time", .time(time)), ("server", .string(server)), ("source", .string(source)),
            ("channel", .string(channel)), ("message", .string(message)), ("file", .string(file)), ("line", .int(line)),
            ("mark", mark.map { m in
                .object([("label", .string(m.label)), ("note", .string(m.note)), ("tags", .strings(m.tags)),
                         ("user", .string(m.user)), ("marked_at", .time(m.markedAt))])
            } ?? .null),
            ("findings", .strings(findings)),
        ])
    }
}

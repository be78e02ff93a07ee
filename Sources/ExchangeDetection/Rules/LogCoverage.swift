import ExchangeEvidence

/// How far back each log source reaches, per server (Test-ProxyLogon's "log age"), so that "no hits" can be
/// qualified: logs that start after the exploitation window cannot show it (`RuleCoverage` draws the conclusions).
public struct LogCoverage: Sendable, Hashable {
    public let server: String
    public let kind: SourceKind
    public let channel: String
    public let first: Int64
    public let last: Int64
    public let files: Int
    public let events: Int
    /// The tool whose selection of rows these files hold (Test-ProxyLogon), nil for whole logs: a selection
    /// shows what the tool flagged, not what happened in the period between its first and last row.
    public var selectedBy: String? = nil
    /// The files of this entry that yielded no event (cut off, corrupt, or empty logs): they cover nothing.
    public var eventless: [EventlessFile] = []

    /// One entry per server, kind and channel, from the files' first and last event times (no event scan).
    public static func compute(_ store: EventStore) -> [LogCoverage] {
        struct Key: Hashable { let server: String; let kind: SourceKind; let channel: String; let selectedBy: String? }
        var acc: [Key: (first: Int64, last: Int64, files: Int, events: Int, eventless: [EventlessFile])] = [:]
        for f in store.files {
            let k = Key(server: f.server, kind: f.kind, channel: f.channel, selectedBy: f.selectedBy)
            var a = acc[k] ?? (Int64.max, Int64.min, 0, 0, [])
            if f.firstTime != Timestamp.unknown { a.first = min(a.first, f.firstTime) }
            if f.lastTime != Timestamp.unknown { a.last = max(a.last, f.lastTime) }
            a.files += 1
            a.events += f.eventCount
            // A log collected again whose events the earlier copy holds is read, not eventless.
            if f.eventCount == 0 && f.facts[EvidenceFile.continuesFact] == nil { a.eventless.append(EventlessFile(f)) }
            acc[k] = a
        }
        return acc.map { k, a in
            LogCoverage(server: k.server, kind: k.kind, channel: k.channel,
                        first: a.first == Int64.max ? Timestamp.unknown : a.first,
                        last: a.last == Int64.min ? Timestamp.unknown : a.last, files: a.files, events: a.events, selectedBy: k.selectedBy,
                        eventless: a.eventless)
        }.sorted { ($0.server, $0.kind.rawValue, $0.channel, $0.selectedBy ?? "") < ($1.server, $1.kind.rawValue, $1.channel, $1.selectedBy ?? "") }
    }

    /// `httpproxy/Ecp 2021-03-10 06:00:00 … 2021-03-12 23:59:59 (24 files)`
    public var line: String {
        let source = channel.isEmpty ? kind.rawValue : "\(kind.rawValue)/\(channel)"
        return "\(source) \(Timestamp.short(first)) … \(Timestamp.short(last)) (\(files) file\(files == 1 ? "" : "s"), \(events) events)"
    }
}

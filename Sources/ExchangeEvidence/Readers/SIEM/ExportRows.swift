/// What the rows of a SIEM export name: each row is filed under its own server and channel (one export may hold a
/// fleet's logs of several kinds), and the file is named by the most common. Shared by the JSON and CSV readers.
struct ExportRows {
    var computers: [String: Int] = [:]
    var channels: [String: Int] = [:]
    var rows = RowGroups()
    var kinds: [SourceKind: Int] = [:]

    /// Files the events up to `eventCount` under `host` (short name) and `channel`, as `kind`.
    mutating func file(host: String, channel: String, kind: SourceKind, eventCount: Int) {
        if !host.isEmpty { computers[host, default: 0] += 1 }
        if !channel.isEmpty { channels[channel, default: 0] += 1 }
        rows.set(server: String(host.prefix { $0 != "." }), channel: channel, kind: kind, eventCount: eventCount)
        kinds[kind, default: 0] += 1
    }

    /// The kind most rows are, else `otherwise`.
    func mostCommonKind(otherwise: SourceKind) -> SourceKind {
        kinds.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? otherwise
    }
}

import ExchangeEvidence

/// What `grep-ioc` prints by default: per indicator that was found, how often, when first and last, where.
public struct IOCSummary: Sendable {
    /// Index into `IOCMatcher.indicators`.
    public var indicator: Int
    public var hits: Int
    /// First and last hit time (ms UTC); `Timestamp.unknown` when no hit had a time.
    public var first: Int64
    public var last: Int64
    /// Servers with hits, sorted.
    public var servers: [String]
    /// Fields that matched, sorted (`client_ip`, `user_agent`, `FullName`, …).
    public var fields: [String]

    /// One summary per indicator with hits, in indicator order.
    public static func summarize(_ hits: [IOCHit], store: EventStore) -> [IOCSummary] {
        var byIndicator: [Int: IOCSummary] = [:]
        var servers: [Int: Set<String>] = [:]
        var fields: [Int: Set<String>] = [:]
        for h in hits {
            var s = byIndicator[h.indicator] ?? IOCSummary(indicator: h.indicator, hits: 0, first: Timestamp.unknown,
                                                           last: Timestamp.unknown, servers: [], fields: [])
            s.hits += 1
            if h.time != Timestamp.unknown {
                if s.first == Timestamp.unknown || h.time < s.first { s.first = h.time }
                if s.last == Timestamp.unknown || h.time > s.last { s.last = h.time }
            }
            byIndicator[h.indicator] = s
            servers[h.indicator, default: []].insert(store.files[h.file].server)
            fields[h.indicator, default: []].insert(h.field)
        }
        return byIndicator.keys.sorted().map { i in
            var s = byIndicator[i]!
            s.servers = servers[i, default: []].sorted()
            s.fields = fields[i, default: []].sorted()
            return s
        }
    }
}

import ExchangeEvidence

/// What `grep-ioc` prints by default: per indicator that was found, in how many events, when first and last, where.
public struct IOCSummary: Sendable {
    /// Index into `IOCMatcher.indicators`.
    public var indicator: Int
    /// Distinct events the indicator was found in (hits are one per indicator and event; a whole-file hit or a
    /// raw hit on a line that is no event counts once).
    public var events: Int
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
            var s = byIndicator[h.indicator] ?? IOCSummary(indicator: h.indicator, events: 0, first: Timestamp.unknown,
                                                           last: Timestamp.unknown, servers: [], fields: [])
            s.events += 1
            if h.time != Timestamp.unknown {
                if s.first == Timestamp.unknown || h.time < s.first { s.first = h.time }
                if s.last == Timestamp.unknown || h.time > s.last { s.last = h.time }
            }
            byIndicator[h.indicator] = s
            servers[h.indicator, default: []].insert(store.files[h.file].server)
            fields[h.indicator, default: []].formUnion(h.fields)
        }
        return byIndicator.keys.sorted().map { i in
            var s = byIndicator[i]!
            s.servers = servers[i, default: []].sorted()
            s.fields = fields[i, default: []].sorted()
            return s
        }
    }
}

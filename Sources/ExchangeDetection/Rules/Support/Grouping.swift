import ExchangeEvidence

/// Turns many matching events into few findings: one per server and key (usually the client IP),
/// split where the activity pauses for longer than `gap`, so a finding reads as one burst of activity.
public enum Grouping {
    /// One hour: the HelseCERT chains ran within minutes; a later return is reported separately.
    public static let defaultGap: Int64 = 3_600_000

    public static func bursts(_ ids: [EventID], in store: EventStore, by field: InternedField? = .clientIP,
                              gap: Int64? = defaultGap) -> [[EventID]] {
        struct Key: Hashable { let server: String; let value: UInt32 }
        var groups: [Key: [EventID]] = [:]
        var order: [Key] = []
        for id in ids {
            let k = Key(server: store.server(of: id), value: field.map { store.valueID($0, id) } ?? 0)
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(id)
        }
        var out: [[EventID]] = []
        for k in order {
            let sorted = store.sortedByTime(groups[k]!)
            guard let gap else { out.append(sorted); continue }
            var current: [EventID] = []
            var last = Timestamp.unknown
            for id in sorted {
                let t = store.time[id]
                if !current.isEmpty && t != Timestamp.unknown && last != Timestamp.unknown && t - last > gap {
                    out.append(current)
                    current = []
                }
                current.append(id)
                if t != Timestamp.unknown { last = t }
            }
            if !current.isEmpty { out.append(current) }
        }
        return out
    }

    /// Distinct values of a field over events, most frequent first, with counts (`value×n`).
    public static func tally(_ ids: [EventID], _ field: InternedField, in store: EventStore, limit: Int = 3) -> String {
        var counts: [UInt32: Int] = [:]
        var order: [UInt32] = []
        for id in ids {
            let v = store.valueID(field, id)
            if counts[v] == nil { order.append(v) }
            counts[v, default: 0] += 1
        }
        let top = order.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
        var parts = top.prefix(limit).map { v -> String in
            let s = v == 0 ? "-" : store.pool.string(v)
            return counts[v]! > 1 ? "\(s)×\(counts[v]!)" : s
        }
        if top.count > limit { parts.append("+\(top.count - limit) more") }
        return parts.joined(separator: ", ")
    }

    /// Distinct values of a field, in first-seen order.
    public static func distinct(_ ids: [EventID], _ field: InternedField, in store: EventStore) -> [String] {
        var seen = Set<UInt32>()
        var out: [String] = []
        for id in ids {
            let v = store.valueID(field, id)
            if v != 0 && seen.insert(v).inserted { out.append(store.pool.string(v)) }
        }
        return out
    }
}

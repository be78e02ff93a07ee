import ExchangeEvidence

/// Indexes over the loaded events that make timeline filters interactive on millions of events:
/// the time order (binary search on time), and position lists by server, by source and by client IP.
/// Built once per store generation, the per-key lists lazily on the first filter that needs them.
public final class TimelineIndex {
    public let generation: Int
    let store: EventStore
    /// Every event, oldest first (unknown times first), ties in load order: `store.timeOrder`.
    public let order: [EventID]
    /// Server name (lower-cased) of each file, and the servers' keys.
    let serverKeyOfFile: [Int]
    let serverKeys: [String: Int]
    /// `kind` and `kind/channel` (lower-cased) of each file.
    let sourceKeyOfFile: [Int]
    let sourceKeys: [String: Int]
    let kindKeyOfFile: [Int]
    let kindKeys: [String: Int]

    private var serverLists: Postings?
    private var sourceLists: Postings?
    private var kindLists: Postings?
    private var ipLists: Postings?

    init(store: EventStore) {
        self.store = store
        generation = store.generation
        order = store.timeOrder
        func keys(_ name: (EvidenceFile) -> String) -> ([Int], [String: Int]) {
            var map: [String: Int] = [:]
            let perFile = store.files.map { f -> Int in
                let k = name(f).lowercased()
                if let id = map[k] { return id }
                map[k] = map.count
                return map.count - 1
            }
            return (perFile, map)
        }
        (serverKeyOfFile, serverKeys) = keys { $0.server }
        (sourceKeyOfFile, sourceKeys) = keys { $0.channel.isEmpty ? $0.kind.rawValue : "\($0.kind.rawValue)/\($0.channel)" }
        (kindKeyOfFile, kindKeys) = keys { $0.kind.rawValue }
    }

    /// The index for the store's current generation, rebuilt when evidence was loaded or unloaded.
    public static func current(for session: Session) -> TimelineIndex {
        let holder = session.attachment(Holder.self) { Holder() }
        if let idx = holder.index, idx.generation == session.store.generation, idx.store === session.store { return idx }
        let idx = TimelineIndex(store: session.store)
        holder.index = idx
        return idx
    }

    final class Holder { var index: TimelineIndex? }

    // MARK: - Time

    /// The first position whose event time is at least `ms`.
    public func position(atOrAfter ms: Int64) -> Int {
        let t = store.time
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if t[order[mid]] < ms { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Newest known event time, or `Timestamp.unknown`.
    public var newest: Int64 { order.last.map { store.time[$0] } ?? Timestamp.unknown }

    // MARK: - Lists by key

    func servers() -> Postings { byFile(&serverLists, keyCount: serverKeys.count, keyOfFile: serverKeyOfFile) }
    func sources() -> Postings { byFile(&sourceLists, keyCount: sourceKeys.count, keyOfFile: sourceKeyOfFile) }
    func kinds() -> Postings { byFile(&kindLists, keyCount: kindKeys.count, keyOfFile: kindKeyOfFile) }

    /// Lists keyed by a property of each event's file, built on first use and kept in `slot`.
    private func byFile(_ slot: inout Postings?, keyCount: Int, keyOfFile: [Int]) -> Postings {
        if let p = slot { return p }
        let fileIndex = store.fileIndex
        let p = Postings(keyCount: keyCount, order: order) { keyOfFile[Int(fileIndex[$0])] }
        slot = p
        return p
    }

    /// Lists keyed by the interned client IP value id.
    func clientIPs() -> Postings {
        if let p = ipLists { return p }
        let column = store.values[InternedField.clientIP.rawValue]
        let p = Postings(keyCount: store.pool.count, order: order) { Int(column[$0]) }
        ipLists = p
        return p
    }
}

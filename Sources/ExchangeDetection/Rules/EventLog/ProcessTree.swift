import ExchangeEvidence

/// The process starts (Sysmon 1, Security 4688) of the loaded event logs, indexed by creator: one pass over
/// the store builds parent → children lists (ordered by time), so a walk costs the children it returns.
/// Searching the store for each process's children instead made a log of many events sharing process ids
/// cubic (244 KB: 36 s).
///
/// Children are started by a process with the same id in the same log file, no earlier than it (ids are
/// reused). Walks keep a visited set, so a cycle (reused ids, forged events) or a duplicate event ends there.
final class ProcessTree {
    struct Key: Hashable {
        let file: UInt32
        let parentID: String
    }
    private let store: EventStore
    private var events: [EventID: ProcessEvent] = [:]
    private var byParent: [Key: [EventID]] = [:]
    /// Children looked at so far: the work walks did, for the complexity tests.
    private(set) var steps = 0

    init(_ store: EventStore) {
        self.store = store
        for id in store.events(containing: "processid=", kinds: [SourceKind.eventLog]) {
            guard let p = ProcessEvent(store, id) else { continue }
            events[id] = p
            if !p.parentProcessID.isEmpty {
                byParent[Key(file: store.fileIndex[id], parentID: p.parentProcessID), default: []].append(id)
            }
        }
        let time = store.time
        for k in byParent.keys { byParent[k]!.sort { time[$0] != time[$1] ? time[$0] < time[$1] : $0 < $1 } }
    }

    /// The process start recorded by event `id`, or nil when it is none.
    func event(_ id: EventID) -> ProcessEvent? { events[id] }

    private func key(ofChildrenOf p: ProcessEvent) -> Key { Key(file: store.fileIndex[p.id], parentID: p.processID) }

    /// Up to `limit` processes `p` started that `seen` does not hold yet (inserted there), in time order.
    private func children(of p: ProcessEvent, limit: Int, seen: inout Set<EventID>) -> [ProcessEvent] {
        guard !p.processID.isEmpty, limit > 0, let ids = byParent[key(ofChildrenOf: p)] else { return [] }
        let since = store.time[p.id]
        var lo = 0, hi = ids.count
        while lo < hi { let m = (lo + hi) / 2; if store.time[ids[m]] < since { lo = m + 1 } else { hi = m } }
        var out: [ProcessEvent] = []
        for id in ids[lo...] {
            steps += 1
            if seen.insert(id).inserted, let c = events[id] { out.append(c) }
            if out.count == limit { break }
        }
        return out
    }

    /// Processes started by `p`, up to `levels` generations down and `limit` processes, each once, by time.
    func descendants(of p: ProcessEvent, levels: Int, limit: Int) -> [ProcessEvent] {
        var seen: Set<EventID> = [p.id]
        var out: [ProcessEvent] = []
        var frontier = [p]
        for _ in 0..<levels where !frontier.isEmpty {
            var next: [ProcessEvent] = []
            for parent in frontier where out.count + next.count < limit {
                next += children(of: parent, limit: limit - out.count - next.count, seen: &seen)
            }
            out += next
            frontier = next
        }
        return out.sorted { store.time[$0.id] != store.time[$1.id] ? store.time[$0.id] < store.time[$1.id] : $0.id < $1.id }
    }

    /// Pairs each child of the given starts with the latest of them that shares its creator id and log file and
    /// started no later than it: one pass over each creator's children.
    func attribute(toStartsOf starts: [ProcessEvent]) -> [(child: ProcessEvent, parent: ProcessEvent)] {
        let time = store.time
        var out: [(child: ProcessEvent, parent: ProcessEvent)] = []
        let grouped = Dictionary(grouping: starts.filter { !$0.processID.isEmpty }, by: key(ofChildrenOf:))
        for (key, group) in grouped {
            let parents = group.sorted { time[$0.id] != time[$1.id] ? time[$0.id] < time[$1.id] : $0.id < $1.id }
            var k = -1
            for id in byParent[key] ?? [] {
                steps += 1
                while k + 1 < parents.count && time[parents[k + 1].id] <= time[id] { k += 1 }
                guard k >= 0, let c = events[id] else { continue }
                let p = parents[k].id == id ? (k > 0 ? parents[k - 1] : nil) : parents[k]
                if let p { out.append((c, p)) }
            }
        }
        return out
    }
}

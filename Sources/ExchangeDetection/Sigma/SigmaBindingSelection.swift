import ExchangeEvidence

/// What a log-source entry selects on each server, for the rules that ran but cannot match there (loaded Sigma
/// rules and built-in rules alike): which servers have its events, and which of them hold one it selects.
extension SigmaLogSourceMap.Binding {
    /// The servers with events of the entry's kind and channel. A file that yielded no event is no entry the
    /// server has: coverage names it as unread instead.
    func servers(in store: EventStore) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for f in store.files where covers(f) && f.eventCount > 0 {
            if seen.insert(f.server).inserted { out.append(f.server) }
        }
        return out
    }

    /// The servers holding an event the entry selects (its `where` values, such as `EventID: 4688`), reading each
    /// server's events only until the first: a Security log with process auditing on answers at once.
    func serversSelecting(in store: EventStore) -> Set<String> {
        var found = Set<String>()
        let names = Array(conditions.keys)
        let reader = SigmaFieldReader(store: store, names: names)
        for (fi, range) in store.eventRanges(kinds: [kind]) where covers(store.files[fi]) && !found.contains(store.files[fi].server) {
            if names.isEmpty ? !range.isEmpty : range.contains(where: { id in
                reader.load(id)
                return names.indices.allSatisfy { i in
                    reader.withField(i) { v in v.map { conditions[names[i]]!.contains(String(decoding: $0, as: UTF8.self).lowercased()) } ?? false }
                }
            }) {
                found.insert(store.files[fi].server)
            }
        }
        return found
    }

    /// What the entry selects, as a responder names it (`Security event 4688`, `MSExchange Management events`,
    /// `IIS logs`), and whether that names several things.
    var selection: (String, plural: Bool) {
        guard let channelName else { return (EvidenceNeed.reading([kind]).label, true) }
        let values = conditions.keys.sorted().map { k in conditions[k]!.sorted().joined(separator: " or ") }
        return values.isEmpty ? ("\(channelName) events", true) : ("\(channelName) event \(values.joined(separator: " "))", false)
    }
}

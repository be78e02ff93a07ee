import ExchangeEvidence

/// The events one log-source binding selects, with the field values its rules read, prepared once per hunt:
/// indexed columns become distinct-value columns, everything else is read from the event text once
/// (for the literal pass) and again only for the few positions an item must be verified on.
///
/// Positions are indexes into `events`; all sets are sorted position lists.
final class SigmaTable {
    let store: EventStore
    let binding: SigmaLogSourceMap.Binding
    private(set) var events: [EventID] = []
    private var distinct: [String: SigmaDistinctColumn] = [:]
    private var streamed: [String: SigmaStreamedColumn] = [:]
    private let reader: SigmaFieldReader
    private var nameIndex: [String: Int] = [:]
    private var rows: [Int32: [String?]] = [:]
    private(set) lazy var universe: [Int32] = (0..<Int32(events.count)).map { $0 }

    /// The lower-cased Sigma name of an item's field (`@keywords` for keywords).
    static func key(_ field: String?) -> String { field?.lowercased() ?? SigmaFieldReader.keywords }

    init(store: EventStore, binding: SigmaLogSourceMap.Binding, items: [SigmaItem]) {
        self.store = store
        self.binding = binding
        // Which Sigma fields are read, and how.
        var sources: [String: SigmaFieldSource] = [:]
        var literals: [String: [[UInt8]]] = [:]
        for item in items {
            let k = Self.key(item.field)
            sources[k] = item.field.map { binding.source(of: $0) } ?? .column(SigmaFieldReader.keywords)
            for g in item.groups {
                for t in g {
                    if case .pattern(let p) = t { literals[k, default: []].append(p.requiredLiteral) }
                    if case .fieldRef(let other, _) = t { sources[other.lowercased()] = binding.source(of: other) }
                }
            }
        }
        var names: [String] = Array(binding.conditions.keys)
        for (k, s) in sources {
            switch s {
            case .interned(let f): distinct[k] = SigmaDistinctColumn(field: f)
            case .column(let n): names.append(n); streamed[k] = SigmaStreamedColumn(source: s, literals: literals[k] ?? [])
            case .join(let ns, _): names += ns; streamed[k] = SigmaStreamedColumn(source: s, literals: literals[k] ?? [])
            }
        }
        var seen = Set<String>()
        names = names.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        reader = SigmaFieldReader(store: store, names: names)
        for (i, n) in reader.names.enumerated() { nameIndex[n] = i }
        build()
    }

    private func build() {
        let conditions = binding.conditions.map { (index: nameIndex[$0.key.lowercased()]!, accepted: $0.value) }
        let needsRead = !reader.names.isEmpty
        let distinctColumns = Array(distinct.values)
        let streamedColumns = Array(streamed.values)
        var joined: [UInt8] = []
        for (fi, range) in store.eventRanges(kinds: [binding.kind]) {
            if let ch = binding.channel, store.files[fi].channel.lowercased() != ch { continue }
            for id in range {
                if needsRead {
                    reader.load(id)
                    let accepted = conditions.allSatisfy { c in
                        reader.withField(c.index) { v in v.map { c.accepted.contains(String(decoding: $0, as: UTF8.self).lowercased()) } ?? false }
                    }
                    if !accepted { continue }
                }
                let pos = Int32(events.count)
                events.append(id)
                for c in distinctColumns { c.append(store.valueID(c.field, id)) }
                for c in streamedColumns {
                    switch c.source {
                    case .interned: break
                    case .column(let n):
                        reader.withField(nameIndex[n.lowercased()]!) { v in if let v { c.scan(v, at: pos) } }
                    case .join(let ns, let sep):
                        joined.removeAll(keepingCapacity: true)
                        for n in ns {
                            reader.withField(nameIndex[n.lowercased()]!) { v in
                                guard let v else { return }
                                if !joined.isEmpty { joined.append(contentsOf: sep.utf8) }
                                joined.append(contentsOf: v)
                            }
                        }
                        if !joined.isEmpty { joined.withUnsafeBytes { c.scan($0, at: pos) } }
                    }
                }
            }
        }
        for c in distinctColumns { c.finish() }
    }

    private func compose(_ source: SigmaFieldSource, _ row: [String?]) -> String? {
        switch source {
        case .interned: return nil
        case .column(let n): return row[nameIndex[n.lowercased()]!]
        case .join(let ns, let sep):
            let parts = ns.compactMap { row[nameIndex[$0.lowercased()]!] }
            return parts.isEmpty ? nil : parts.joined(separator: sep)
        }
    }

    /// The value of a Sigma field at a position (nil: absent).
    func value(_ field: String?, at pos: Int32) -> String? {
        let k = Self.key(field)
        if let d = distinct[k] {
            let sid = d.storeIDs[Int(d.ids[Int(pos)])]
            return sid == 0 ? nil : store.pool.string(sid)
        }
        guard let s = streamed[k] else { return nil }
        let row: [String?]
        if let r = rows[pos] { row = r } else {
            row = reader.read(events[Int(pos)])
            if rows.count > 50_000 { rows.removeAll(keepingCapacity: true) }
            rows[pos] = row
        }
        return compose(s.source, row)
    }

    /// True when `item` holds for the event at `pos`.
    func holds(_ item: SigmaItem, at pos: Int32) -> Bool {
        if let d = distinct[Self.key(item.field)], !Self.hasFieldRef(item) {
            return d.verdict(item, pool: store.pool)[Int(d.ids[Int(pos)])]
        }
        let v = value(item.field, at: pos)
        guard Self.hasFieldRef(item) else { return SigmaMatch.holds(item, v) }
        func test(_ t: SigmaTest) -> Bool {
            guard case .fieldRef(let other, let mode) = t else { return SigmaMatch.holds(SigmaItem(field: item.field, groups: [[t]], all: false, key: item.key), v) }
            guard let a = v?.lowercased(), let b = value(other, at: pos)?.lowercased() else { return false }
            switch mode {
            case .equals: return a == b
            case .contains: return a.contains(b)
            case .startswith: return a.hasPrefix(b)
            case .endswith: return a.hasSuffix(b)
            }
        }
        func group(_ g: [SigmaTest]) -> Bool { g.contains(where: test) }
        return item.all ? item.groups.allSatisfy(group) : item.groups.contains(where: group)
    }

    static func hasFieldRef(_ item: SigmaItem) -> Bool {
        item.groups.contains { $0.contains { if case .fieldRef = $0 { true } else { false } } }
    }

    /// An upper bound of the positions `item` can hold at, cheap to compute, for ordering an AND.
    func estimate(_ item: SigmaItem) -> Int {
        if let d = distinct[Self.key(item.field)], !Self.hasFieldRef(item) {
            return d.count(matching: d.verdict(item, pool: store.pool))
        }
        if let s = streamed[Self.key(item.field)], !Self.hasFieldRef(item), let c = s.candidates(item) { return c.count }
        return events.count
    }

    /// The sorted positions where `item` holds.
    func positions(_ item: SigmaItem) -> [Int32] {
        if let d = distinct[Self.key(item.field)], !Self.hasFieldRef(item) {
            return d.positions(matching: d.verdict(item, pool: store.pool))
        }
        if let s = streamed[Self.key(item.field)], !Self.hasFieldRef(item), let c = s.candidates(item) {
            return c.filter { holds(item, at: $0) }
        }
        return universe.filter { holds(item, at: $0) }
    }
}

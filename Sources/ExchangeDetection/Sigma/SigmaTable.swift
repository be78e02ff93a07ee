import ExchangeEvidence

/// The events one log-source binding selects, with the field values its rules read, prepared once per hunt:
/// indexed columns become distinct-value columns (an item is decided once per distinct value), everything
/// else is read from the event text once, where one multi-pattern pass decides the items' tests.
///
/// After `prepare()` every item is decided — a verdict per distinct value, or a sorted position list — and the
/// table is read-only, so rules can be evaluated on several threads; reading field values for explanations
/// goes through a `SigmaValueReader` of the calling thread.
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
    /// The distinct items of the binding's rules; the evaluator refers to them by index.
    private(set) var items: [SigmaItem] = []
    private var itemIndex: [SigmaItem: Int] = [:]
    private var verdicts: [[Bool]?] = []
    private var estimates: [Int?] = []
    private var candidateCache: [(positions: [Int32], exact: Bool)??] = []
    /// Where each item holds, for items not decided per distinct value (filled by `prepare`).
    private var decided: [[Int32]?] = []
    private var prepared = false
    private(set) lazy var universe: [Int32] = (0..<Int32(events.count)).map { $0 }

    /// The lower-cased Sigma name of an item's field (`@keywords` for keywords).
    static func key(_ field: String?) -> String { field?.lowercased() ?? SigmaFieldReader.keywords }

    init(store: EventStore, binding: SigmaLogSourceMap.Binding, items all: [SigmaItem]) {
        self.store = store
        self.binding = binding
        for item in all where itemIndex[item] == nil {
            itemIndex[item] = items.count
            items.append(item)
        }
        verdicts = Array(repeating: nil, count: items.count)
        estimates = Array(repeating: nil, count: items.count)
        candidateCache = Array(repeating: nil, count: items.count)
        decided = Array(repeating: nil, count: items.count)
        // Which Sigma fields are read, and how.
        var sources: [String: SigmaFieldSource] = [:]
        var tests: [String: [SigmaTest]] = [:]
        for item in items {
            let k = Self.key(item.field)
            sources[k] = item.field.map { binding.source(of: $0) } ?? .column(SigmaFieldReader.keywords)
            for g in item.groups {
                for t in g {
                    tests[k, default: []].append(t)
                    if case .fieldRef(let other, _) = t { sources[other.lowercased()] = binding.source(of: other) }
                }
            }
        }
        var names: [String] = Array(binding.conditions.keys)
        for (k, s) in sources {
            switch s {
            case .interned(let f): distinct[k] = SigmaDistinctColumn(field: f, poolCount: store.pool.count)
            case .column(let n): names.append(n); streamed[k] = SigmaStreamedColumn(source: s, tests: tests[k] ?? [])
            case .join(let ns, _): names += ns; streamed[k] = SigmaStreamedColumn(source: s, tests: tests[k] ?? [])
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

    /// A reader of this table's field values; one per thread (it keeps the last event it read).
    func valueReader() -> SigmaValueReader { SigmaValueReader(store: store, names: reader.names) }

    private lazy var ownReader = valueReader()

    /// The value of a Sigma field at a position (nil: absent).
    func value(_ field: String?, at pos: Int32, using r: SigmaValueReader? = nil) -> String? {
        withValue(field, at: pos, using: r) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Calls `body` with the bytes of a Sigma field at a position (nil: absent), reading the event's line for
    /// text fields through `r` (the table's own reader when nil: single-threaded use only).
    func withValue<R>(_ field: String?, at pos: Int32, using r: SigmaValueReader? = nil, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let k = Self.key(field)
        if let d = distinct[k] {
            let sid = d.storeIDs[Int(d.ids[Int(pos)])]
            return sid == 0 ? body(nil) : store.pool.withBytes(sid, body)
        }
        guard let s = streamed[k] else { return body(nil) }
        let r = r ?? ownReader
        r.load(events[Int(pos)])
        switch s.source {
        case .interned: return body(nil)
        case .column(let n): return r.fields.withField(nameIndex[n.lowercased()]!, body)
        case .join(let ns, let sep): return r.joined(ns.map { nameIndex[$0.lowercased()]! }, separator: sep, body)
        }
    }

    /// The index of an item of the binding's rules.
    func index(of item: SigmaItem) -> Int { itemIndex[item]! }

    private func verdict(_ i: Int, _ d: SigmaDistinctColumn) -> [Bool] {
        if let v = verdicts[i] { return v }
        let v = d.verdict(items[i], pool: store.pool)
        verdicts[i] = v
        return v
    }

    private func candidates(_ i: Int, _ s: SigmaStreamedColumn) -> (positions: [Int32], exact: Bool)? {
        if let c = candidateCache[i] { return c }
        let c = s.candidates(items[i])
        candidateCache[i] = .some(c)
        return c
    }

    /// The distinct-value column an item is decided on, unless it compares fields with each other.
    private func distinctColumn(_ i: Int) -> SigmaDistinctColumn? {
        Self.hasFieldRef(items[i]) ? nil : distinct[Self.key(items[i].field)]
    }

    private func streamedColumn(_ i: Int) -> SigmaStreamedColumn? {
        Self.hasFieldRef(items[i]) ? nil : streamed[Self.key(items[i].field)]
    }

    /// Decides every item once: verdicts per distinct value, position lists for the rest. Afterwards the
    /// table is only read.
    func prepare() {
        guard !prepared else { return }
        _ = universe
        _ = ownReader
        for i in items.indices {
            if let d = distinctColumn(i) { _ = verdict(i, d); continue }
            let list: [Int32]
            if let s = streamedColumn(i), let c = candidates(i, s) {
                list = c.exact ? c.positions : c.positions.filter { holdsDirect(i, at: $0) }
            } else {
                list = universe.filter { holdsDirect(i, at: $0) }
            }
            decided[i] = list
        }
        prepared = true
    }

    /// True when item `i` holds for the event at `pos` (after `prepare`: a lookup).
    func holds(_ i: Int, at pos: Int32) -> Bool {
        if let d = distinctColumn(i) { return verdict(i, d)[Int(d.ids[Int(pos)])] }
        if let list = decided[i] { return SigmaSets.contains(list, pos) }
        return holdsDirect(i, at: pos)
    }

    /// True when item `i` holds for the event at `pos`, decided on the event's value itself: the plain
    /// evaluation every faster path must agree with.
    func holdsDirect(_ i: Int, at pos: Int32, using r: SigmaValueReader? = nil) -> Bool {
        let item = items[i]
        guard Self.hasFieldRef(item) else { return withValue(item.field, at: pos, using: r) { SigmaMatch.holds(item, $0) } }
        let v = value(item.field, at: pos, using: r)
        func test(_ t: SigmaTest) -> Bool {
            guard case .fieldRef(let other, let mode) = t else { return SigmaMatch.holds(SigmaItem(field: item.field, groups: [[t]], all: false, key: item.key), v) }
            guard let a = v?.lowercased(), let b = value(other, at: pos, using: r)?.lowercased() else { return false }
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

    /// An upper bound of the positions item `i` can hold at, cheap once computed, for ordering an AND.
    func estimate(_ i: Int) -> Int {
        if let e = estimates[i] { return e }
        if let d = decided[i] { return d.count }
        var e = events.count
        if let d = distinctColumn(i) { e = d.count(matching: verdict(i, d)) }
        else if let s = streamedColumn(i), let c = candidates(i, s) { e = c.positions.count }
        if !prepared { estimates[i] = e }
        return e
    }

    /// The sorted positions where item `i` holds.
    func positions(_ i: Int) -> [Int32] {
        if let d = distinctColumn(i) { return d.positions(matching: verdict(i, d)) }
        if let d = decided[i] { return d }
        if let s = streamedColumn(i), let c = candidates(i, s) {
            return c.exact ? c.positions : c.positions.filter { holdsDirect(i, at: $0) }
        }
        return universe.filter { holdsDirect(i, at: $0) }
    }
}

/// Reads Sigma field values of a table's events for one thread, keeping the last event read (an explanation
/// asks for several fields of the same event).
final class SigmaValueReader {
    let fields: SigmaFieldReader
    private var loaded: EventID?
    private var scratch: [UInt8] = []

    init(store: EventStore, names: [String]) { fields = SigmaFieldReader(store: store, names: names) }

    func load(_ id: EventID) {
        if loaded == id { return }
        fields.load(id)
        loaded = id
    }

    /// The non-empty values of fields `indexes` of the loaded event joined by `separator` (nil: all empty).
    func joined<R>(_ indexes: [Int], separator: String, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        scratch.removeAll(keepingCapacity: true)
        for n in indexes {
            fields.withField(n) { v in
                guard let v else { return }
                if !scratch.isEmpty { scratch.append(contentsOf: separator.utf8) }
                scratch.append(contentsOf: v)
            }
        }
        return scratch.isEmpty ? body(nil) : scratch.withUnsafeBytes { body($0) }
    }
}

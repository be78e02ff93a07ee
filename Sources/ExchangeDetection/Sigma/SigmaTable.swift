import ExchangeEvidence
import Foundation

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
    /// The store indexes of the files the table's events come from.
    private(set) var files: Set<Int> = []
    /// Per field key (`key(_:)`): the files where some event of the table holds a value for it. A field no file
    /// of a server holds makes the rules needing it blind there (`SigmaFieldGaps`).
    private(set) var filesWithValue: [String: Set<Int>] = [:]
    /// What the pass groups this table's hits into bursts by (set with `prepare`, before rules run on it).
    var burstKeys: FindingContext.BurstKeys?
    private(set) lazy var universe: [Int32] = (0..<Int32(events.count)).map { $0 }

    /// The lower-cased Sigma name of an item's field (`@keywords` for keywords).
    static func key(_ field: String?) -> String { field?.lowercased() ?? SigmaFieldReader.keywords }

    /// `parts`: how many parts the events are scanned in at once (default: one per core on large tables).
    init(store: EventStore, binding: SigmaLogSourceMap.Binding, items all: [SigmaItem], parts: Int? = nil) {
        self.store = store
        self.binding = binding
        for item in all where itemIndex[item] == nil {
            itemIndex[item] = items.count
            // A user agent is compared in both spellings (IIS `+`, HttpProxy spaces): see `SigmaTest.userAgent`.
            // The item is found under either form.
            if case .interned(.userAgent) = SigmaEventValues.source(of: item.field, in: binding) {
                let folded = SigmaItem(field: item.field, groups: item.groups.map { $0.map(\.forUserAgent) }, all: item.all, key: item.key)
                itemIndex[folded] = items.count
                items.append(folded)
            } else {
                items.append(item)
            }
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
            sources[k] = SigmaEventValues.source(of: item.field, in: binding)
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
        build(parts: parts)
    }

    /// One pass over the binding's events, in `parts` contiguous parts on all cores (each with its own reader
    /// and column copies, merged in order), then the indexed columns, which only look up value ids.
    private func build(parts requested: Int?) {
        let ranges: [Range<EventID>] = store.eventRanges(kinds: [binding.kind]).compactMap { fi, range in
            binding.covers(store.files[fi]) ? range : nil
        }
        let total = ranges.reduce(0) { $0 + $1.count }
        let parts = Self.split(ranges, into: requested ?? (total < Self.partMinimum ? 1 : ProcessInfo.processInfo.activeProcessorCount))
        let keys = Array(streamed.keys)
        let scanned = PartSlots(count: parts.count)
        SigmaPass.parallel(parts.count) { p in
            let reader = p == 0 ? self.reader : SigmaFieldReader(store: self.store, names: self.reader.names)
            let columns = keys.map { p == 0 ? self.streamed[$0]! : self.streamed[$0]!.emptyCopy() }
            scanned.set(p, (self.scan(parts[p], reader: reader, columns: columns), columns))
        }
        for p in parts.indices {
            let part = scanned.get(p)
            if p > 0 { for (k, c) in zip(keys, part.columns) { streamed[k]!.append(c, offset: Int32(events.count)) } }
            events += part.events.ids
            files.formUnion(part.events.files)
            for (k, f) in zip(keys, part.events.filesWithValue) where !f.isEmpty { filesWithValue[k, default: []].formUnion(f) }
        }
        let distinctKeys = Array(distinct.keys)
        let distinctColumns = distinctKeys.map { distinct[$0]! }
        // Events of a file are contiguous: a file is noted once per column, not per event.
        var lastNoted = [Int](repeating: -1, count: distinctColumns.count)
        let fileIndex = store.fileIndex
        for id in events {
            let file = Int(fileIndex[id])
            for (c, column) in distinctColumns.enumerated() {
                let value = store.valueID(column.field, id)
                column.append(value)
                if value != 0 && lastNoted[c] != file {
                    filesWithValue[distinctKeys[c], default: []].insert(file)
                    lastNoted[c] = file
                }
            }
        }
        for c in distinctColumns { c.finish() }
    }

    /// Below this many events a table is built on one thread.
    static let partMinimum = 20_000

    /// `ranges` cut into `count` contiguous parts of about equal events.
    static func split(_ ranges: [Range<EventID>], into count: Int) -> [[Range<EventID>]] {
        let total = ranges.reduce(0) { $0 + $1.count }
        guard count > 1, total > 0 else { return [ranges] }
        var parts: [[Range<EventID>]] = [[]]
        var room = (total + count - 1) / count
        for var r in ranges {
            while !r.isEmpty {
                if room == 0 { parts.append([]); room = (total + count - 1) / count }
                let take = min(room, r.count)
                parts[parts.count - 1].append(r.lowerBound..<(r.lowerBound + take))
                r = (r.lowerBound + take)..<r.upperBound
                room -= take
            }
        }
        return parts
    }

    /// What one part's scan found: the events the binding accepts, the files they come from, and per column the
    /// files where some event held a value for it.
    struct ScannedPart {
        var ids: [EventID] = []
        var files: Set<Int> = []
        var filesWithValue: [Set<Int>]
    }

    /// The events of `ranges` the binding accepts, each scanned into `columns` at its position in this part.
    private func scan(_ ranges: [Range<EventID>], reader: SigmaFieldReader, columns: [SigmaStreamedColumn]) -> ScannedPart {
        let conditions = binding.conditions.map { (index: nameIndex[$0.key.lowercased()]!, accepted: $0.value) }
        let needsRead = !reader.names.isEmpty
        // What each column reads, worked out once rather than per event (switching over the column's source per
        // event copied its names and separator: reference counting on every value scanned).
        let plan: [ScanStep] = columns.enumerated().compactMap { k, c in
            switch c.source {
            case .interned: return nil
            case .column(let n): return ScanStep(column: c, index: k, fields: [nameIndex[n.lowercased()]!], separator: nil)
            case .join(let ns, let sep):
                return ScanStep(column: c, index: k, fields: ns.map { nameIndex[$0.lowercased()]! }, separator: Array(sep.utf8))
            }
        }
        var events: [EventID] = []
        var part = ScannedPart(filesWithValue: Array(repeating: [], count: columns.count))
        var joined: [UInt8] = []
        // Ranges lie within one file each (`split` cuts a file's range, never joins two).
        var held = [Bool](repeating: false, count: plan.count)
        for range in ranges {
            guard let first = range.first else { continue }
            let file = Int(store.fileIndex[first]), before = events.count
            for s in held.indices { held[s] = false }
            for id in range {
                if needsRead {
                    reader.load(id)
                    if !conditions.isEmpty {
                        let accepted = conditions.allSatisfy { c in
                            reader.withField(c.index) { v in v.map { c.accepted.contains(String(decoding: $0, as: UTF8.self).lowercased()) } ?? false }
                        }
                        if !accepted { continue }
                    }
                }
                let pos = Int32(events.count)
                events.append(id)
                for (s, step) in plan.enumerated() {
                    guard let separator = step.separator else {
                        reader.withField(step.fields[0]) { v in if let v { step.column.scan(v, at: pos); held[s] = true } }
                        continue
                    }
                    joined.removeAll(keepingCapacity: true)
                    for n in step.fields {
                        reader.withField(n) { v in if let v { SigmaValueReader.append(v, separator: separator, to: &joined) } }
                    }
                    if !joined.isEmpty { joined.withUnsafeBytes { step.column.scan($0, at: pos) }; held[s] = true }
                }
            }
            if events.count > before { part.files.insert(file) }
            for (s, step) in plan.enumerated() where held[s] { part.filesWithValue[step.index].insert(file) }
        }
        for step in plan { step.column.flush() }
        part.ids = events
        return part
    }

    /// One streamed column's reading during a scan: the reader fields it takes, and the separator it joins
    /// them with (nil: one field). `index`: the column's place in the scan's `columns`.
    private struct ScanStep {
        let column: SigmaStreamedColumn
        let index: Int
        let fields: [Int]
        let separator: [UInt8]?
    }

    /// A reader of this table's field values; one per thread (it keeps the last event it read).
    func valueReader() -> SigmaEventValues { SigmaEventValues(store: store, binding: binding, names: reader.names) }

    /// The lower-cased evidence field names the binding's items read (what a `SigmaEventValues` needs).
    var fieldNames: [String] { reader.names }

    private lazy var ownReader = valueReader()

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

    /// The positions of sorted `list` where item `i` holds: a merge with the item's own list when the two are of
    /// comparable size (an AND of broad selections keeps hundreds of thousands of positions), lookups otherwise.
    func filter(_ i: Int, _ list: [Int32]) -> [Int32] {
        if let d = distinctColumn(i) {
            let v = verdict(i, d), ids = d.ids
            return list.filter { v[Int(ids[Int($0)])] }
        }
        if let own = decided[i], own.count / 16 <= list.count { return SigmaSets.intersect(list, own) }
        return list.filter { holds(i, at: $0) }
    }

    /// True when item `i` holds for the event at `pos` (after `prepare`: a lookup).
    func holds(_ i: Int, at pos: Int32) -> Bool {
        if let d = distinctColumn(i) { return verdict(i, d)[Int(d.ids[Int(pos)])] }
        if let list = decided[i] { return SigmaSets.contains(list, pos) }
        return holdsDirect(i, at: pos)
    }

    /// True when item `i` holds for the event at `pos`, decided on the event's value itself: the plain
    /// evaluation every faster path must agree with (through `r`, or the table's own reader: one thread only).
    func holdsDirect(_ i: Int, at pos: Int32, using r: SigmaEventValues? = nil) -> Bool {
        (r ?? ownReader).holds(items[i], for: events[Int(pos)])
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

/// Results of the parts of a table's build, written from concurrent workers.
private final class PartSlots: @unchecked Sendable {
    typealias Part = (events: SigmaTable.ScannedPart, columns: [SigmaStreamedColumn])
    private var slots: [Part?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Part) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> Part { lock.lock(); defer { lock.unlock() }; return slots[i]! }
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
        let sep = Array(separator.utf8)
        for n in indexes {
            fields.withField(n) { v in if let v { Self.append(v, separator: sep, to: &scratch) } }
        }
        return scratch.isEmpty ? body(nil) : scratch.withUnsafeBytes { body($0) }
    }

    /// Appends one value of a joined field: after the separator, unless the value already starts with it
    /// (HttpProxy's `UrlQuery` keeps its `?`: the path and the query get one, as in IIS's form).
    static func append(_ value: UnsafeRawBufferPointer, separator: [UInt8], to out: inout [UInt8]) {
        if !out.isEmpty && !value.starts(with: separator) { out.append(contentsOf: separator) }
        out.append(contentsOf: value)
    }
}

import Dispatch
import ExchangeEvidence
import Foundation

/// Runs every loaded Sigma rule in one pass: rules are grouped by the log-source binding they match, each
/// binding's events and fields are prepared once (`SigmaTable`), and bindings run on both cores.
/// Findings carry `sigma:<rule id>`, the rule's title, its level as severity and the deciding field values.
public struct SigmaPass: DetectionRule {
    public let rules: [SigmaRule]
    let map: SigmaLogSourceMap

    public init(rules: [SigmaRule], map: SigmaLogSourceMap = .standard) {
        self.rules = rules
        self.map = map
    }

    public let id = "sigma"
    public let title = "Loaded Sigma rules"
    public let cves: [String] = []
    public var severity: Severity { rules.map(\.severity).max() ?? .info }
    public var sources: [SourceKind] { Array(Set(map.bindings.map(\.kind))).sorted() }
    public let help = "Every Sigma rule loaded with 'rules load', bound to evidence by the log-source mapping (help sigma)."
    /// Each rule with the evidence its log source binds to: `hunt` says which rules could not run on a server.
    public var coverageNeeds: [(id: String, need: EvidenceNeed)] {
        rules.compactMap { r in map.need(for: r.logsource).map { (r.findingRule, $0) } }
    }

    public func run(on store: EventStore) -> [Finding] { runNotingFieldGaps(on: store).findings }

    /// The findings, and the rules that cannot match on a server because a field they need is never there.
    public func runNotingFieldGaps(on store: EventStore) -> (findings: [Finding], fieldGaps: [FieldGap]) {
        let present = Set(store.files.map { "\($0.kind.rawValue)\u{0}\($0.channel.lowercased())" })
        let kinds = Set(store.files.map(\.kind))
        let work: [(SigmaLogSourceMap.Binding, [SigmaRule])] = map.bindings.compactMap { b in
            guard kinds.contains(b.kind), b.channel.map({ present.contains("\(b.kind.rawValue)\u{0}\($0)") }) ?? true else { return nil }
            let mine = rules.filter { b.accepts($0.logsource) }
            return mine.isEmpty ? nil : (b, mine)
        }
        // Tables are built (one pass over each binding's events) and prepared on both cores, then every
        // (binding, rule) pair is evaluated on both cores against the read-only tables.
        let context = FindingContext(store: store)
        SigmaRegexStopReport.reset(rules)
        let tables = Slots<SigmaTable?>(count: work.count, empty: nil)
        Self.parallel(work.count) { i in
            let (binding, rules) = work[i]
            let items = rules.flatMap(\.items)
            let table = SigmaTable(store: store, binding: binding, items: items)
            if table.events.isEmpty { return }
            table.prepare()
            table.burstKeys = context.keys(table.events, by: Self.burstField(of: binding))
            tables.set(i, table)
        }
        let pairs: [(table: SigmaTable, rule: SigmaRule)] = work.indices.flatMap { i in
            tables.get(i).map { t in work[i].1.map { (t, $0) } } ?? []
        }
        // Each pair's hits grouped into bursts on all cores, then every finding written in place into the one
        // result array, also on all cores: millions of findings are neither copied nor concatenated.
        let found = Slots<PairBursts?>(count: pairs.count, empty: nil)
        Self.parallel(pairs.count) { i in
            found.set(i, Self.bursts(pairs[i].rule, table: pairs[i].table, context: context))
        }
        var starts = [0]
        for i in 0..<pairs.count { starts.append(starts[i] + (found.get(i)?.bursts.groups.count ?? 0)) }
        let offsets = starts
        var findings = [Finding](unsafeUninitializedCapacity: offsets[pairs.count] + Self.headroom) { buffer, count in
            let out = FindingSlots(buffer)
            Self.parallel(pairs.count) { i in
                guard let p = found.get(i) else { return }
                Self.write(p, rule: pairs[i].rule, context: context, into: out, at: offsets[i])
            }
            count = offsets[pairs.count]
        }
        findings += SigmaRegexStopReport.findings(pairs)
        return (findings, SigmaFieldGaps.of(work, tables: work.indices.map { tables.get($0) }, store: store, map: map))
    }

    /// Room left after the findings for the built-in rules' ones, which the hunt appends: growing an array of
    /// millions of findings would move all of them into fresh pages (about a second per GiB on this machine).
    static let headroom = 4096

    /// Runs `body` for 0..<count on every core, the calling thread included, each worker taking the next
    /// index. Not `concurrentPerform`, nor the global queue: the pass runs inside the hunt's `concurrentPerform`,
    /// whose threads fill libdispatch's pool (one per core on Linux), so work sent there waited for the built-in
    /// rules to finish while this thread blocked — the tables of a 1,500-rule pass were built on one core.
    /// Each worker is a thread of its own.
    static func parallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Counter()
        let work: @Sendable () -> Void = {
            while case let i = next.take(), i < count { body(i) }
        }
        let done = DispatchGroup()
        for _ in 1..<max(1, min(ProcessInfo.processInfo.activeProcessorCount, count)) {
            done.enter()
            Thread.detachNewThread { work(); done.leave() }
        }
        work()
        done.wait()
    }

    /// A rule's hits on a table grouped into bursts per server and client (web logs) or per server, with
    /// the explainer its findings share.
    struct PairBursts {
        let bursts: FindingContext.Bursts
        let explainer: SigmaFindingExplainer
    }

    /// Findings of web logs are bursts per server and client address, of other logs per server.
    static func burstField(of binding: SigmaLogSourceMap.Binding) -> InternedField? {
        binding.kind == .iis || binding.kind == .httpProxy ? .clientIP : nil
    }

    static func bursts(_ rule: SigmaRule, table: SigmaTable, context: FindingContext) -> PairBursts? {
        let hits = SigmaEvaluator(table: table, rule: rule).positions()
        if hits.isEmpty { return nil }
        return PairBursts(bursts: context.bursts(hits, events: table.events, keys: table.burstKeys!),
                          explainer: SigmaFindingExplainer(table: table, rule: rule))
    }

    /// Initialises the findings of one rule's bursts at `out[start...]`; each is explained by the values of its
    /// first event when its summary is read.
    static func write(_ p: PairBursts, rule: SigmaRule, context: FindingContext, into out: FindingSlots, at start: Int) {
        let about = Finding.About(rule: rule.findingRule, title: rule.title, cves: rule.cves, severity: rule.severity)
        for (k, g) in p.bursts.groups.enumerated() {
            out.initialize(start + k, Finding(about: about, origin: context.origins[Int(g.file)], time: g.time,
                                              events: p.bursts.events(of: g), line: Int(g.line), explainer: p.explainer))
        }
    }
}

/// The uninitialised result buffer of a pass, written at disjoint indexes from concurrent workers.
struct FindingSlots: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Finding>?
    init(_ buffer: UnsafeMutableBufferPointer<Finding>) { base = buffer.baseAddress }
    func initialize(_ i: Int, _ f: Finding) { (base! + i).initialize(to: f) }
}

/// What findings need of the store's files, read once per pass rather than per event, and the grouping of
/// hits into bursts on integer keys.
final class FindingContext: Sendable {
    let store: EventStore
    /// Per file: the server and path its findings carry, one shared object each.
    let origins: [Finding.Origin]
    /// File index → index of its server name (files of one server share it).
    let serverOfFile: [UInt32]

    init(store: EventStore) {
        self.store = store
        origins = store.files.map { Finding.Origin(server: $0.server, file: $0.path) }
        var ids: [String: UInt32] = [:]
        serverOfFile = store.files.map { f in
            if let i = ids[f.server] { return i }
            let i = UInt32(ids.count)
            ids[f.server] = i
            return i
        }
    }

    /// One burst: where its events are in its rule's event list (in time order), the time of its first event with
    /// one (`Timestamp.unknown` when none has), and the file and line of its first event. All are read from the
    /// store while its hits are walked in event order: reading them per finding, at scattered events, missed the
    /// cache for each of millions of findings (the file and line reads were two thirds of writing them).
    struct Burst { let range: Range<Int>; let time: Int64; let file: UInt32; let line: UInt32 }

    /// A rule's bursts on a table, and the one list their events are runs of (shared by the findings).
    struct Bursts {
        let events: [EventID]
        let groups: [Burst]
        func events(of b: Burst) -> FindingEvents { FindingEvents(events, range: b.range) }
    }

    /// What bursts are grouped by, per position of a table's events: the server and, for web logs, the client
    /// address, numbered densely once per table so that each rule's hits are grouped by array lookups.
    struct BurstKeys: Sendable {
        let keys: [Int32]
        let count: Int
    }

    /// The burst key of each of `events` (per server and `field` value).
    func keys(_ events: [EventID], by field: InternedField?) -> BurstKeys {
        let fileIndex = store.fileIndex, values = field.map { store.values[$0.rawValue] }
        var ids: [UInt64: Int32] = [:]
        var last: (key: UInt64, id: Int32)?
        let keys = events.map { id -> Int32 in
            let key = UInt64(serverOfFile[Int(fileIndex[id])]) << 32 | UInt64(values?[id] ?? 0)
            if let last, last.key == key { return last.id }
            let k = ids[key] ?? { let n = Int32(ids.count); ids[key] = n; return n }()
            last = (key, k)
            return k
        }
        return BurstKeys(keys: keys, count: ids.count)
    }

    /// Per-key scratch arrays for `bursts`, one lent to each worker at a time and handed back with every entry
    /// -1 again (a table's keys may number in the millions; the rules of a hunt in the thousands).
    private let scratch = ScratchPool()

    /// The same groups as `Grouping.bursts` (per server and `field` value, in order of first appearance,
    /// split where activity pauses longer than the default gap); `keys` from `keys(events, by: field)`.
    func bursts(_ hits: [Int32], events: [EventID], keys: BurstKeys) -> Bursts {
        let n = hits.count
        // Each hit's group, numbered in order of first appearance, and each group's size.
        var group = [Int32](repeating: 0, count: n)
        var sizes: [Int32] = []
        var groupOfKey = scratch.take(count: keys.count)
        hits.withUnsafeBufferPointer { hit in
            keys.keys.withUnsafeBufferPointer { keyOf in
                groupOfKey.withUnsafeMutableBufferPointer { groupOf in
                    group.withUnsafeMutableBufferPointer { group in
                        for k in 0..<n {
                            let key = Int(keyOf[Int(hit[k])])
                            let g = groupOf[key]
                            if g >= 0 { group[k] = g; sizes[Int(g)] += 1; continue }
                            group[k] = Int32(sizes.count)
                            groupOf[key] = Int32(sizes.count)
                            sizes.append(1)
                        }
                        for k in 0..<n { groupOf[Int(keyOf[Int(hit[k])])] = -1 }
                    }
                }
            }
        }
        scratch.give(groupOfKey)
        // One flat list of the hits' times and events with each group's together, in hit order (a counting sort:
        // no array per group), then each group cut where activity pauses.
        var start = [Int](repeating: 0, count: sizes.count + 1)
        for g in sizes.indices { start[g + 1] = start[g] + Int(sizes[g]) }
        var out: [Burst] = []
        out.reserveCapacity(sizes.count)
        var flat = [(time: Int64, event: EventID, file: UInt32, line: UInt32)](repeating: (0, 0, 0, 0), count: n)
        let time = store.time, fileIndex = store.fileIndex, lineNumber = store.lineNumber
        time.withUnsafeBufferPointer { time in
            events.withUnsafeBufferPointer { events in
                flat.withUnsafeMutableBufferPointer { flat in
                    var fill = start
                    for k in 0..<n {
                        let g = Int(group[k]), e = events[Int(hits[k])]
                        flat[fill[g]] = (time[e], e, fileIndex[e], lineNumber[e])
                        fill[g] += 1
                    }
                    for g in sizes.indices {
                        let lo = start[g], hi = start[g + 1]
                        // Hits come in event order, which is time order within a file: usually nothing to sort.
                        if (lo + 1..<hi).contains(where: { (flat[$0].time, flat[$0].event) < (flat[$0 - 1].time, flat[$0 - 1].event) }) {
                            flat[lo..<hi].sort { ($0.time, $0.event) < ($1.time, $1.event) }
                        }
                        var first = lo
                        var last = Timestamp.unknown
                        var known = Timestamp.unknown
                        for j in lo..<hi {
                            let t = flat[j].time
                            if j > first && t != Timestamp.unknown && last != Timestamp.unknown && t - last > Grouping.defaultGap {
                                out.append(Burst(range: first..<j, time: known, file: flat[first].file, line: flat[first].line))
                                first = j
                                known = t
                            }
                            if t != Timestamp.unknown {
                                last = t
                                if known == Timestamp.unknown { known = t }
                            }
                        }
                        out.append(Burst(range: first..<hi, time: known, file: flat[first].file, line: flat[first].line))
                    }
                }
            }
        }
        return Bursts(events: flat.map(\.event), groups: out)
    }
}

/// Arrays of -1 lent to workers and handed back as they were lent.
private final class ScratchPool: @unchecked Sendable {
    private var free: [[Int32]] = []
    private let lock = NSLock()
    func take(count: Int) -> [Int32] {
        lock.lock()
        var a = free.popLast() ?? []
        lock.unlock()
        if a.count < count { a += repeatElement(-1, count: count - a.count) }
        return a
    }
    func give(_ a: [Int32]) { lock.lock(); free.append(a); lock.unlock() }
}

/// The next index for parallel workers.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int { lock.lock(); defer { value += 1; lock.unlock() }; return value }
}

/// Result slots written from concurrent workers.
private final class Slots<T>: @unchecked Sendable {
    private var slots: [T]
    private let lock = NSLock()
    init(count: Int, empty: T) { slots = Array(repeating: empty, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> T { lock.lock(); defer { lock.unlock() }; return slots[i] }
}

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

    public func run(on store: EventStore) -> [Finding] {
        let present = Set(store.files.map { "\($0.kind.rawValue)\u{0}\($0.channel.lowercased())" })
        let kinds = Set(store.files.map(\.kind))
        let work: [(SigmaLogSourceMap.Binding, [SigmaRule])] = map.bindings.compactMap { b in
            guard kinds.contains(b.kind), b.channel.map({ present.contains("\(b.kind.rawValue)\u{0}\($0)") }) ?? true else { return nil }
            let mine = rules.filter { b.accepts($0.logsource) }
            return mine.isEmpty ? nil : (b, mine)
        }
        // Tables are built (one pass over each binding's events) and prepared on both cores, then every
        // (binding, rule) pair is evaluated on both cores against the read-only tables.
        let tables = Slots<SigmaTable?>(count: work.count, empty: nil)
        Self.parallel(work.count) { i in
            let (binding, rules) = work[i]
            let items = rules.flatMap { r in r.searches.values.flatMap { $0.alternatives.flatMap { $0 } } }
            let table = SigmaTable(store: store, binding: binding, items: items)
            if table.events.isEmpty { return }
            table.prepare()
            tables.set(i, table)
        }
        let pairs: [(table: SigmaTable, rule: SigmaRule)] = work.indices.flatMap { i in
            tables.get(i).map { t in work[i].1.map { (t, $0) } } ?? []
        }
        // Each pair's hits grouped into bursts on all cores, then every finding written in place into the one
        // result array, also on all cores: millions of findings are neither copied nor concatenated.
        let context = FindingContext(store: store)
        let found = Slots<PairBursts?>(count: pairs.count, empty: nil)
        Self.parallel(pairs.count) { i in
            found.set(i, Self.bursts(pairs[i].rule, table: pairs[i].table, context: context))
        }
        var starts = [0]
        for i in 0..<pairs.count { starts.append(starts[i] + (found.get(i)?.groups.count ?? 0)) }
        let offsets = starts
        return [Finding](unsafeUninitializedCapacity: offsets[pairs.count]) { buffer, count in
            let out = FindingSlots(buffer)
            Self.parallel(pairs.count) { i in
                guard let p = found.get(i) else { return }
                Self.write(p, rule: pairs[i].rule, table: pairs[i].table, context: context, into: out, at: offsets[i])
            }
            count = offsets[pairs.count]
        }
    }

    /// Runs `body` for 0..<count on every core, the calling thread included, each worker taking the next
    /// index. Not `concurrentPerform`: the pass itself runs inside the hunt's `concurrentPerform`, where a
    /// nested one gets no more threads than the outer one left free — in practice one.
    static func parallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Counter()
        let work: @Sendable () -> Void = {
            while case let i = next.take(), i < count { body(i) }
        }
        let group = DispatchGroup()
        for _ in 1..<max(1, min(ProcessInfo.processInfo.activeProcessorCount, count)) {
            DispatchQueue.global().async(group: group, execute: work)
        }
        work()
        group.wait()
    }

    /// A rule's hits on a table grouped into bursts per server and client (web logs) or per server, with
    /// the explainer its findings share.
    struct PairBursts {
        let groups: [FindingContext.Burst]
        let explainer: SigmaFindingExplainer
    }

    static func bursts(_ rule: SigmaRule, table: SigmaTable, context: FindingContext) -> PairBursts? {
        let evaluator = SigmaEvaluator(table: table, rule: rule)
        let hits = evaluator.positions()
        if hits.isEmpty { return nil }
        let web = table.binding.kind == .iis || table.binding.kind == .httpProxy
        return PairBursts(groups: context.bursts(hits, events: table.events, by: web ? .clientIP : nil),
                          explainer: SigmaFindingExplainer(table: table, items: evaluator.positiveItems.map { table.items[$0] }))
    }

    /// Initialises the findings of one rule's bursts at `out[start...]`; each is explained by the values of its
    /// first event when its summary is read.
    static func write(_ p: PairBursts, rule: SigmaRule, table: SigmaTable, context: FindingContext, into out: FindingSlots, at start: Int) {
        let store = table.store
        let ruleID = rule.findingRule, cves = rule.cves, severity = rule.severity, title = rule.title
        let time = store.time, fileIndex = store.fileIndex
        for (k, g) in p.groups.enumerated() {
            let first = table.events[Int(g.first)]
            let file = context.files[Int(fileIndex[first])]
            let known = g.events.first { time[$0] != Timestamp.unknown }
            out.initialize(start + k, Finding(rule: ruleID, title: title, cves: cves, severity: severity,
                                              server: file.server, time: known.map { time[$0] } ?? Timestamp.unknown,
                                              events: g.events, file: file.path, line: store.line(of: first), explainer: p.explainer))
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
    let files: [(server: String, path: String)]
    /// File index → index of its server name (files of one server share it).
    let serverOfFile: [UInt32]

    init(store: EventStore) {
        self.store = store
        files = store.files.map { ($0.server, $0.path) }
        var ids: [String: UInt32] = [:]
        serverOfFile = files.map { f in
            if let i = ids[f.server] { return i }
            let i = UInt32(ids.count)
            ids[f.server] = i
            return i
        }
    }

    /// One burst: its events in time order and the position of its first one.
    struct Burst { let events: [EventID]; let first: Int32 }

    /// The same groups as `Grouping.bursts` (per server and `field` value, in order of first appearance,
    /// split where activity pauses longer than the default gap), computed on integer keys.
    func bursts(_ hits: [Int32], events: [EventID], by field: InternedField?) -> [Burst] {
        let fileIndex = store.fileIndex, values = field.map { store.values[$0.rawValue] }
        // Each hit's group, numbered in order of first appearance.
        var groupOf: [UInt64: Int32] = [:]
        var group = [Int32](repeating: 0, count: hits.count)
        var sizes: [Int] = []
        for (k, p) in hits.enumerated() {
            let id = events[Int(p)]
            let key = UInt64(serverOfFile[Int(fileIndex[id])]) << 32 | UInt64(values?[id] ?? 0)
            if let g = groupOf[key] { group[k] = g; sizes[Int(g)] += 1; continue }
            group[k] = Int32(sizes.count)
            groupOf[key] = Int32(sizes.count)
            sizes.append(1)
        }
        // One flat list with each group's hits together, in hit order (a counting sort: no array per group).
        var start = [Int](repeating: 0, count: sizes.count + 1)
        for g in sizes.indices { start[g + 1] = start[g] + sizes[g] }
        var fill = start
        var flat = [Int32](repeating: 0, count: hits.count)
        for (k, p) in hits.enumerated() {
            let g = Int(group[k])
            flat[fill[g]] = p
            fill[g] += 1
        }
        let time = store.time
        func before(_ a: Int32, _ b: Int32) -> Bool {
            let ea = events[Int(a)], eb = events[Int(b)]
            return time[ea] != time[eb] ? time[ea] < time[eb] : ea < eb
        }
        var out: [Burst] = []
        out.reserveCapacity(sizes.count)
        for g in sizes.indices {
            let lo = start[g], hi = start[g + 1]
            // Hits come in event order, which is time order within a file: usually nothing to sort.
            if (lo + 1..<hi).contains(where: { before(flat[$0], flat[$0 - 1]) }) { flat[lo..<hi].sort(by: before) }
            var first = lo
            var last = Timestamp.unknown
            for j in lo..<hi {
                let t = time[events[Int(flat[j])]]
                if j > first && t != Timestamp.unknown && last != Timestamp.unknown && t - last > Grouping.defaultGap {
                    out.append(Burst(events: flat[first..<j].map { events[Int($0)] }, first: flat[first]))
                    first = j
                }
                if t != Timestamp.unknown { last = t }
            }
            out.append(Burst(events: flat[first..<hi].map { events[Int($0)] }, first: flat[first]))
        }
        return out
    }
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

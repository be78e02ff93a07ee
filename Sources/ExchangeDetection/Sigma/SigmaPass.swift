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
        let slots = FindingSlots(count: work.count)
        DispatchQueue.concurrentPerform(iterations: work.count) { i in
            slots.set(i, Self.run(work[i].1, binding: work[i].0, store: store))
        }
        return (0..<work.count).flatMap { slots.get($0) }
    }

    static func run(_ rules: [SigmaRule], binding: SigmaLogSourceMap.Binding, store: EventStore) -> [Finding] {
        let items = rules.flatMap { r in r.searches.values.flatMap { $0.alternatives.flatMap { $0 } } }
        let table = SigmaTable(store: store, binding: binding, items: items)
        if table.events.isEmpty { return [] }
        let web = binding.kind == .iis || binding.kind == .httpProxy
        var out: [Finding] = []
        for rule in rules {
            let evaluator = SigmaEvaluator(table: table, rule: rule)
            let hits = evaluator.positions()
            if hits.isEmpty { continue }
            var positionOf: [EventID: Int32] = [:]
            for p in hits { positionOf[table.events[Int(p)]] = p }
            let groups = Grouping.bursts(hits.map { table.events[Int($0)] }, in: store, by: web ? .clientIP : nil)
            let explain = evaluator.positiveItems
            for g in groups {
                let first = g[0]
                var summary = describe(explain, table: table, at: positionOf[first]!)
                if g.count > 1 {
                    let ips = Grouping.distinct(g, .clientIP, in: store)
                    let from = ips.prefix(3).joined(separator: ", ") + (ips.count > 3 ? " +\(ips.count - 3) more" : "")
                    summary += " (\(g.count) events" + (web && !ips.isEmpty ? " from \(from)" : "") + ")"
                }
                else if web, case let ip = store.value(.clientIP, first), !ip.isEmpty, !summary.contains(ip) { summary += " from \(ip)" }
                let known = g.first { store.time[$0] != Timestamp.unknown }
                out.append(Finding(rule: rule.findingRule, title: rule.title, cves: rule.cves, severity: rule.severity,
                                   server: store.server(of: first), time: known.map { store.time[$0] } ?? Timestamp.unknown,
                                   events: g, file: store.file(of: first).path, line: store.line(of: first), summary: summary))
            }
        }
        return out
    }

    /// `field=value` for each item of the rule's positive searches that holds at the event.
    static func describe(_ items: [Int], table: SigmaTable, at pos: Int32) -> String {
        var parts: [String] = []
        var seen = Set<String>()
        for i in items where table.holds(i, at: pos) {
            let item = table.items[i]
            let name = item.field ?? "keywords"
            guard seen.insert(name.lowercased()).inserted else { continue }
            if item.field == nil {
                parts.append("keywords matched")
                continue
            }
            guard let v = table.value(item.field, at: pos) else { parts.append("\(name) absent"); continue }
            parts.append("\(name)=\(v.oneLine(160))")
        }
        return parts.isEmpty ? "condition holds" : parts.joined(separator: " ")
    }
}

/// Per-binding result slots written from concurrent workers.
private final class FindingSlots: @unchecked Sendable {
    private var slots: [[Finding]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Finding]) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> [Finding] { lock.lock(); defer { lock.unlock() }; return slots[i] }
}

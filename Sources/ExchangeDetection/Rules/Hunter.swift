import Dispatch
import ExchangeEvidence
import Foundation

/// Runs rules over a loaded store. Independent rules run concurrently (the store is read-only while
/// hunting); rules with `dependsOn` run afterwards with the findings they need.
public struct Hunter: Sendable {
    public let rules: [any DetectionRule]

    public init(rules: [any DetectionRule] = RuleRegistry.standard) { self.rules = rules }

    /// What a hunt produced: findings of the selected rules, the log coverage, the loaded rules that cannot
    /// match on a server for want of a field, and how long it took.
    public struct Result: Sendable {
        public let findings: [Finding]
        public let coverage: [LogCoverage]
        public let fieldGaps: [FieldGap]
        public let seconds: Double
    }

    /// Runs the rules named in `only` (all when nil) plus whatever they depend on, and returns the
    /// findings of the selected rules.
    public func run(on store: EventStore, only: Set<String>? = nil) -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        let selected = rules.filter { only == nil || only!.contains($0.id) }
        var needed = Set(selected.map(\.id))
        for r in selected { needed.formUnion(r.dependsOn) }
        let toRun = rules.filter { needed.contains($0.id) }
        let base = toRun.filter { $0.dependsOn.isEmpty }
        let dependent = toRun.filter { !$0.dependsOn.isEmpty }

        let results = ResultSlots(count: base.count)
        // Largest work first would need estimates; rules are cheap enough that plain fan-out keeps both cores busy.
        DispatchQueue.concurrentPerform(iterations: base.count) { i in
            results.set(i, base[i].runNotingFieldGaps(on: store))
        }
        var byRule: [String: [Finding]] = [:]
        var fieldGaps: [FieldGap] = []
        for (i, r) in base.enumerated() {
            let run = results.take(i)
            byRule[r.id] = run.findings
            if selected.contains(where: { $0.id == r.id }) { fieldGaps += run.fieldGaps }
        }
        fieldGaps += LogSourceGaps.of(selected, store: store)
        for r in dependent {
            let prior = r.dependsOn.flatMap { byRule[$0] ?? [] }
            byRule[r.id] = r.run(on: store, prior: prior)
        }
        // Each rule's findings together, the largest rule's (a Sigma folder's millions) first and moved rather than
        // copied, then the others in rule order, appended into the room the pass leaves (`SigmaPass.headroom`).
        // Every listing sorts them (`FindingOrder`), ties by rule, so this order is never shown as it is.
        var findings: [Finding] = []
        if let big = selected.indices.max(by: { (byRule[selected[$0].id]?.count ?? 0) < (byRule[selected[$1].id]?.count ?? 0) }) {
            findings = byRule.removeValue(forKey: selected[big].id) ?? []
            for (i, r) in selected.enumerated() where i != big { findings.append(contentsOf: byRule[r.id] ?? []) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(findings: findings, coverage: LogCoverage.compute(store), fieldGaps: fieldGaps, seconds: seconds)
    }

    /// Findings in the order `hunt` prints them (`FindingOrder.byServerSeverity`).
    public static func byServerSeverity(_ findings: [Finding]) -> [Finding] {
        FindingOrder.byServerSeverity(findings).map { findings[$0] }
    }

    /// Findings in time order across servers (`--sort time`; `FindingOrder.byTime`).
    public static func byTime(_ findings: [Finding]) -> [Finding] {
        FindingOrder.byTime(findings).map { findings[$0] }
    }
}

/// Per-rule result slots written from concurrent workers.
private final class ResultSlots: @unchecked Sendable {
    typealias Run = (findings: [Finding], fieldGaps: [FieldGap])
    private var slots: [Run]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: ([], []), count: count) }
    func set(_ i: Int, _ v: Run) { lock.lock(); slots[i] = v; lock.unlock() }
    /// The run of slot `i`, leaving it empty (so the caller holds the only reference to its findings).
    func take(_ i: Int) -> Run {
        lock.lock()
        defer { lock.unlock() }
        let v = slots[i]
        slots[i] = ([], [])
        return v
    }
}

import ExchangeDetection
import ExchangeEvidence

/// The hunt's findings as the timeline, `mark finding` and the report see them: numbered `F1`, `F2`, …
/// in time order (the order `hunt --sort time` lists them), indexed by the events they cite.
final class HuntCitations: FindingCitations {
    /// The hunt result's store generation and rule revision: a citation list is stale when either changes.
    let key: (generation: Int, revision: Int)
    /// The result's findings as the hunt returned them, and their indexes in time order: `F(n)` is
    /// `all[order[n - 1]]`. Not copied into time order: a large Sigma hunt has millions of findings.
    private let all: [Finding]
    private let order: [Int]
    /// Event → the findings citing it, as one list grouped by event (`citingStart[e]..<citingStart[e + 1]`),
    /// built on first use: only the timeline asks, and a large Sigma hunt cites millions of events.
    private lazy var citing: (start: [Int32], list: [Int32]) = Self.index(all, order: order)

    /// `order`: indexes of the result's findings in time order (`HuntFindings.timeOrder`).
    init(_ result: Hunter.Result, order: [Int], key: (generation: Int, revision: Int)) {
        self.key = key
        all = result.findings
        self.order = order
    }

    /// A counting sort of (event, finding) references by event, findings in number order within an event.
    private static func index(_ all: [Finding], order: [Int]) -> (start: [Int32], list: [Int32]) {
        let events = (all.lazy.flatMap(\.events).max() ?? -1) + 1
        var start = [Int32](repeating: 0, count: events + 1)
        for f in all { for e in f.events { start[e + 1] += 1 } }
        for e in 0..<events { start[e + 1] += start[e] }
        var fill = start
        var list = [Int32](repeating: 0, count: Int(start[events]))
        for (i, k) in order.enumerated() {
            for e in all[k].events {
                list[Int(fill[e])] = Int32(i)
                fill[e] += 1
            }
        }
        return (start, list)
    }

    static func id(_ index: Int) -> String { "F\(index + 1)" }

    private func index(_ id: String) -> Int? {
        guard id.uppercased().hasPrefix("F"), let n = Int(id.dropFirst()), n >= 1, n <= order.count else { return nil }
        return n - 1
    }

    func findings(citing event: EventID) -> [String] {
        guard event >= 0, event + 1 < citing.start.count else { return [] }
        return citing.list[Int(citing.start[event])..<Int(citing.start[event + 1])].map { Self.id(Int($0)) }
    }

    var citedEvents: [EventID] {
        let start = citing.start
        return (0..<max(start.count - 1, 0)).filter { start[$0 + 1] > start[$0] }
    }
    func events(ofFinding id: String) -> [EventID]? { index(id).map { all[order[$0]].events.array } }
    var findingIDs: [String] { order.indices.map(Self.id) }

    func facts(ofFinding id: String) -> FindingFacts? {
        index(id).map { i in
            let f = all[order[i]]
            return (rule: f.rule, title: f.title, severity: f.severity.name, cves: f.cves, server: f.server, time: f.time, summary: f.summary)
        }
    }

    func outline(ofFinding id: String) -> FindingFacts? {
        index(id).map { i in
            let f = all[order[i]]
            return (rule: f.rule, title: f.title, severity: f.severity.name, cves: f.cves, server: f.server, time: f.time, summary: "")
        }
    }
}

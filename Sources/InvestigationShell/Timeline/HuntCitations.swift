import ExchangeDetection
import ExchangeEvidence

/// The hunt's findings as the timeline, `mark finding` and the report see them: numbered `F1`, `F2`, …
/// in time order (the order `hunt --sort time` lists them), indexed by the events they cite.
final class HuntCitations: FindingCitations {
    let generation: Int
    let findings: [Finding]
    private var citing: [EventID: [Int]] = [:]

    init(_ result: Hunter.Result, generation: Int) {
        self.generation = generation
        findings = Hunter.byTime(result.findings)
        for (i, f) in findings.enumerated() { for e in f.events { citing[e, default: []].append(i) } }
    }

    static func id(_ index: Int) -> String { "F\(index + 1)" }

    private func index(_ id: String) -> Int? {
        guard id.uppercased().hasPrefix("F"), let n = Int(id.dropFirst()), n >= 1, n <= findings.count else { return nil }
        return n - 1
    }

    func findings(citing event: EventID) -> [String] { (citing[event] ?? []).map(Self.id) }
    var citedEvents: [EventID] { Array(citing.keys) }
    func events(ofFinding id: String) -> [EventID]? { index(id).map { findings[$0].events } }
    var findingIDs: [String] { findings.indices.map(Self.id) }

    func facts(ofFinding id: String) -> FindingFacts? {
        index(id).map { i in
            let f = findings[i]
            return (rule: f.rule, title: f.title, severity: f.severity.name, cves: f.cves, server: f.server, time: f.time, summary: f.summary)
        }
    }
}

import ExchangeEvidence
import InvestigationShell

/// Findings as a hunt would supply them, for testing what the timeline, `mark finding` and the report do with them.
final class StubFindings: FindingCitations {
    let byID: [(String, [EventID])]
    let facts: [String: FindingFacts]
    init(_ byID: [(String, [EventID])], facts: [String: FindingFacts] = [:]) { self.byID = byID; self.facts = facts }
    func findings(citing event: EventID) -> [String] { byID.filter { $0.1.contains(event) }.map(\.0) }
    var citedEvents: [EventID] { byID.flatMap(\.1) }
    func events(ofFinding id: String) -> [EventID]? { byID.first { $0.0 == id }?.1 }
    var findingIDs: [String] { byID.map(\.0) }
    func facts(ofFinding id: String) -> FindingFacts? { facts[id] }
}

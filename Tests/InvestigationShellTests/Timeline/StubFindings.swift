import ExchangeEvidence
import InvestigationShell

/// Findings as a hunt would supply them, for testing what the timeline and `mark finding` do with them.
final class StubFindings: FindingCitations {
    let byID: [(String, [EventID])]
    init(_ byID: [(String, [EventID])]) { self.byID = byID }
    func findings(citing event: EventID) -> [String] { byID.filter { $0.1.contains(event) }.map(\.0) }
    var citedEvents: [EventID] { byID.flatMap(\.1) }
    func events(ofFinding id: String) -> [EventID]? { byID.first { $0.0 == id }?.1 }
}

import ExchangeEvidence

/// What the report shows of one finding: the rule's id and title, the severity name (`info`…`critical`),
/// CVEs, server, time of its first event (ms UTC) and the one-line explanation with the deciding values.
public typealias FindingFacts = (rule: String, title: String, severity: String, cves: [String], server: String,
                                 time: Int64, summary: String)

/// What the timeline, `mark finding` and the report need to know about findings, supplied by the command
/// that runs the rules (`hunt`). The timeline does not run rules itself: it only shows which findings cite
/// an event, so it stays fast and independent of the rule engine.
///
/// The provider sets `session.findingCitations` after a hunt and keeps it current for the store's generation.
public protocol FindingCitations: AnyObject {
    /// Ids of the findings that cite `event` (as `hunt` numbers them, e.g. `F3`), in listing order.
    func findings(citing event: EventID) -> [String]
    /// Every event cited by some finding, in any order.
    var citedEvents: [EventID] { get }
    /// The events finding `id` rests on, or nil when there is no such finding.
    func events(ofFinding id: String) -> [EventID]?
    /// Every finding id, in listing order.
    var findingIDs: [String] { get }
    /// The facts of finding `id` for the report, or nil when there is no such finding.
    func facts(ofFinding id: String) -> FindingFacts?
}

/// Holds the session's findings provider (an attachment, so `Session` needs no stored property for it).
final class FindingCitationsSlot {
    var provider: FindingCitations?
}

extension Session {
    /// The findings of the last hunt, as the timeline sees them; nil before any hunt.
    public var findingCitations: FindingCitations? {
        get { attachment(FindingCitationsSlot.self) { FindingCitationsSlot() }.provider }
        set { attachment(FindingCitationsSlot.self) { FindingCitationsSlot() }.provider = newValue }
    }
}

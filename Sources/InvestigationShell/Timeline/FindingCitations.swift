import ExchangeDetection
import ExchangeEvidence

/// What the report shows of one finding: the rule's id and title, the severity name (`info`…`critical`),
/// CVEs, server, time of its first event (ms UTC) and the one-line explanation with the deciding values.
public typealias FindingFacts = (rule: String, title: String, severity: String, cves: [String], server: String,
                                 time: Int64, summary: String)

/// What the timeline, `mark finding` and the report need to know about findings, supplied by the command
/// that runs the rules (`hunt`). The timeline does not run rules itself: it only shows which findings cite
/// an event, so it stays fast and independent of the rule engine.
///
/// `hunt`'s findings are used unless a provider is set with `session.findingCitations = …`.
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
    /// The facts without the summary (left empty), for tallying findings the report does not list one by one:
    /// a summary reads its event's line, and a large Sigma hunt has millions of findings.
    func outline(ofFinding id: String) -> FindingFacts?
}

extension FindingCitations {
    public func outline(ofFinding id: String) -> FindingFacts? { facts(ofFinding: id) }
}

/// Holds the session's findings provider (an attachment, so `Session` needs no stored property for it).
final class FindingCitationsSlot {
    /// A provider set explicitly (tests, other tools); otherwise the hunt's findings are used.
    var provider: FindingCitations?
    var hunt: HuntCitations?
}

extension Session {
    /// The findings the timeline shows: a provider set explicitly, else those of the last `hunt` on the
    /// current evidence (nil before any hunt; never runs the rules, so `timeline` stays instant).
    public var findingCitations: FindingCitations? {
        get {
            let slot = attachment(FindingCitationsSlot.self) { FindingCitationsSlot() }
            if let p = slot.provider { return p }
            guard let result = HuntFindings.of(self).cachedResult(for: store) else { return nil }
            return huntCitations(slot, result)
        }
        set { attachment(FindingCitationsSlot.self) { FindingCitationsSlot() }.provider = newValue }
    }

    /// The findings, running the hunt first when it has not run on the current evidence (for the report
    /// and `timeline --findings`, which need them).
    public func findingCitationsRunningHunt() -> FindingCitations {
        let slot = attachment(FindingCitationsSlot.self) { FindingCitationsSlot() }
        if let p = slot.provider { return p }
        return huntCitations(slot, HuntFindings.of(self).result(for: store))
    }

    private func huntCitations(_ slot: FindingCitationsSlot, _ result: Hunter.Result) -> HuntCitations {
        let hunt = HuntFindings.of(self)
        if let h = slot.hunt, h.key == hunt.key { return h }
        let h = HuntCitations(result, order: hunt.timeOrder(for: store), key: hunt.key)
        slot.hunt = h
        return h
    }
}

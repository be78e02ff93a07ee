import ExchangeEvidence

/// Which items of a rule made its condition true for one event: of a search, the first map of its list whose
/// items all hold; of an `or` (a condition list, `1 of`), the first part that holds; of an `and`, every part's;
/// nothing of a `not`. A summary quotes these values only: a rule `a or b` whose events are `net.exe` and
/// `net1.exe` must say both, and a list of maps must not quote a field of a map that did not hold (reviewer:
/// `Image=…\net.exe (2 events)` where the second was `net1.exe`).
///
/// Worked out when a finding's summary is read, on the burst's sampled events only, never while hunting.
struct SigmaDecidingItems: Sendable {
    private indirect enum Node: Sendable {
        /// A search's maps (keywords: one map of one item), each an AND of items.
        case search([[SigmaItem]])
        case and([Node])
        case or([Node])
        case not(Node)
    }

    private let root: Node

    /// `item` gives the form of a rule's item the values are tested with (the table's: a user agent is folded).
    init(rule: SigmaRule, item: (SigmaItem) -> SigmaItem) {
        func node(_ c: SigmaCondition) -> Node {
            switch c {
            case .search(let name): .search(rule.searches[name]?.alternatives.map { $0.map(item) } ?? [])
            case .and(let parts): .and(parts.map(node))
            case .or(let parts): .or(parts.map(node))
            case .not(let inner): .not(node(inner))
            }
        }
        root = node(rule.condition)
    }

    /// The items that decided the condition for event `id`, in the condition's order; nil when it does not hold.
    func items(for id: EventID, _ values: SigmaEventValues) -> [SigmaItem]? {
        func decide(_ n: Node) -> [SigmaItem]? {
            switch n {
            case .search(let maps): return maps.first { $0.allSatisfy { values.holds($0, for: id) } }
            case .or(let parts):
                for p in parts { if let found = decide(p) { return found } }
                return nil
            case .and(let parts):
                var all: [SigmaItem] = []
                for p in parts {
                    guard let found = decide(p) else { return nil }
                    all += found
                }
                return all
            case .not(let inner): return decide(inner) == nil ? [] : nil
            }
        }
        return decide(root)
    }
}

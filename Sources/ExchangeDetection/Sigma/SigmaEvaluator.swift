/// Evaluates a rule's condition over a table as sets of positions.
///
/// `within` narrows the work: the first positive part of an AND is computed over the whole table (from
/// postings or literal hits), the rest only filter what is left, and a NOT subtracts from what it is given —
/// so a rule costs about the events its most selective part matches, not the events of its log source.
struct SigmaEvaluator {
    let table: SigmaTable
    let rule: SigmaRule

    func positions() -> [Int32] { eval(rule.condition, within: nil) }

    func eval(_ c: SigmaCondition, within: [Int32]?) -> [Int32] {
        switch c {
        case .search(let name):
            guard let s = rule.searches[name] else { return [] }
            return SigmaSets.union(s.alternatives.map { all($0.map(table.index(of:)), within: within) })
        case .or(let parts):
            return SigmaSets.union(parts.map { eval($0, within: within) })
        case .not(let inner):
            let base = within ?? table.universe
            return SigmaSets.subtract(base, eval(inner, within: base))
        case .and(let parts):
            var positives: [SigmaCondition] = []
            var negatives: [SigmaCondition] = []
            for p in parts { if case .not(let inner) = p { negatives.append(inner) } else { positives.append(p) } }
            var current = within
            for p in positives {
                if let c = current, c.isEmpty { return [] }
                current = eval(p, within: current)
            }
            var result = current ?? table.universe
            for n in negatives where !result.isEmpty { result = SigmaSets.subtract(result, eval(n, within: result)) }
            return result
        }
    }

    /// Positions where every item holds.
    private func all(_ items: [Int], within: [Int32]?) -> [Int32] {
        if var result = within {
            for item in items where !result.isEmpty { result = table.filter(item, result) }
            return result
        }
        guard let first = items.indices.min(by: { table.estimate(items[$0]) < table.estimate(items[$1]) }) else { return [] }
        var result = table.positions(items[first])
        for (i, item) in items.enumerated() where i != first && !result.isEmpty { result = table.filter(item, result) }
        return result
    }
}

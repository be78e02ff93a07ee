/// A rule's `condition:` as a tree over its named searches. `1 of x*`, `all of them` and the like are
/// expanded into `or`/`and` over the matching names when the condition is parsed.
indirect enum SigmaCondition: Sendable, Hashable {
    case search(String)
    case and([SigmaCondition])
    case or([SigmaCondition])
    case not(SigmaCondition)

    /// Parses a condition against the rule's search names.
    ///
    /// Grammar (precedence low to high): `or`, `and`, `not`, then `( … )`, `1 of P`, `any of P`, `all of P`
    /// (P a name with `*` wildcards, or `them`: every search not starting with `_`) or a search name.
    /// Aggregations (`| count() …`) and `near` are refused as unsupported, never ignored.
    static func parse(_ text: String, names: [String]) throws -> SigmaCondition {
        if text.contains("|") {
            throw SigmaProblem.unsupported("aggregation in condition ('\(text)') is not supported")
        }
        let tokens = ConditionParser.tokenize(text)
        if tokens.contains(where: { $0.lowercased() == "near" }) {
            throw SigmaProblem.unsupported("'near' in condition is not supported")
        }
        var p = ConditionParser(tokens: tokens, names: names, text: text)
        let c = try p.orExpr()
        if p.pos < p.tokens.count { throw SigmaProblem.broken("condition '\(text)': unexpected '\(p.tokens[p.pos])'") }
        return c
    }

    /// Search names the condition uses.
    var searchNames: Set<String> {
        switch self {
        case .search(let n): [n]
        case .and(let c), .or(let c): c.reduce(into: Set<String>()) { $0.formUnion($1.searchNames) }
        case .not(let c): c.searchNames
        }
    }
}

private struct ConditionParser {
    let tokens: [String]
    let names: [String]
    let text: String
    var pos = 0

    static func tokenize(_ s: String) -> [String] {
        var out: [String] = []
        var word = ""
        for c in s {
            if c == "(" || c == ")" || c.isWhitespace {
                if !word.isEmpty { out.append(word); word = "" }
                if !c.isWhitespace { out.append(String(c)) }
            } else {
                word.append(c)
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    private var peek: String? { pos < tokens.count ? tokens[pos].lowercased() : nil }

    mutating func orExpr() throws -> SigmaCondition {
        var parts = [try andExpr()]
        while peek == "or" { pos += 1; parts.append(try andExpr()) }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func andExpr() throws -> SigmaCondition {
        var parts = [try notExpr()]
        while peek == "and" { pos += 1; parts.append(try notExpr()) }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func notExpr() throws -> SigmaCondition {
        if peek == "not" { pos += 1; return .not(try notExpr()) }
        return try primary()
    }

    mutating func primary() throws -> SigmaCondition {
        guard let t = peek else { throw SigmaProblem.broken("condition '\(text)' ends too early") }
        if t == "(" {
            pos += 1
            let inner = try orExpr()
            guard peek == ")" else { throw SigmaProblem.broken("condition '\(text)': missing ')'") }
            pos += 1
            return inner
        }
        if t == ")" || t == "and" || t == "or" { throw SigmaProblem.broken("condition '\(text)': unexpected '\(t)'") }
        if pos + 1 < tokens.count, tokens[pos + 1].lowercased() == "of" {
            let quantifier = t
            guard pos + 2 < tokens.count else { throw SigmaProblem.broken("condition '\(text)': '\(t) of' needs a name pattern or 'them'") }
            let pattern = tokens[pos + 2]
            pos += 3
            let matched: [String]
            if pattern.lowercased() == "them" {
                matched = names.filter { !$0.hasPrefix("_") }
            } else {
                let glob = SigmaPattern(sigma: pattern, cased: true)
                matched = names.filter { glob.matches($0) }
            }
            if matched.isEmpty { throw SigmaProblem.broken("condition '\(text)': '\(pattern)' matches no search") }
            let each = matched.map { SigmaCondition.search($0) }
            switch quantifier {
            case "1", "any": return each.count == 1 ? each[0] : .or(each)
            case "all": return each.count == 1 ? each[0] : .and(each)
            default: throw SigmaProblem.unsupported("'\(quantifier) of' in condition is not supported (only '1 of' and 'all of')")
            }
        }
        let name = tokens[pos]
        pos += 1
        guard names.contains(name) else {
            // `keywords|all:` names a search with modifiers: they belong on a field, not a search's name.
            if let near = names.first(where: { $0.hasPrefix(name + "|") }) {
                throw SigmaProblem.broken("condition '\(text)' names '\(name)', but the search is called '\(near)': a search's name "
                                          + "takes no modifiers (put them on a field, FIELD|all)")
            }
            throw SigmaProblem.broken("condition '\(text)' names '\(name)', which is not a search of the rule")
        }
        return .search(name)
    }
}

extension SigmaCondition {
    /// The searches the condition uses outside any `not`, in the order it names them: what explains a hit.
    var positiveSearches: [String] { searches(negated: false) }

    /// The searches the condition uses only under a `not`: the filters that keep events out.
    var negatedSearches: [String] {
        let positive = Set(positiveSearches)
        return searches(negated: true).filter { !positive.contains($0) }
    }

    private func searches(negated wanted: Bool) -> [String] {
        var names: [String] = []
        func walk(_ c: SigmaCondition, negated: Bool) {
            switch c {
            case .search(let n): if negated == wanted && !names.contains(n) { names.append(n) }
            case .and(let ps), .or(let ps): ps.forEach { walk($0, negated: negated) }
            case .not(let inner): walk(inner, negated: !negated)
            }
        }
        walk(self, negated: false)
        return names
    }
}

import ExchangeEvidence

/// Finds the rules that cannot match on a server for want of a field: with every field that no event of the
/// server holds read as absent, the rule's condition is false whatever the other fields hold.
///
/// Decided in three-valued logic over the condition: an item on an absent field is settled by how it treats
/// an absent value (`|exists: false` and `null` hold, everything else fails); items on present fields,
/// keywords and field references are unknown. A rule bound to several kinds (IIS and HttpProxy) is blind on a
/// server only when it is blind in each of them that the server has events of.
enum SigmaFieldGaps {
    static func of(_ pairs: [(table: SigmaTable, rule: SigmaRule)], map: SigmaLogSourceMap) -> [FieldGap] {
        var presentCache: [ObjectIdentifier: [String: Set<String>]] = [:]
        // Per server and rule: in how many tables it ran, in how many it was blind, and the absent fields.
        var tally: [String: (ran: Int, blind: Int, fields: [String], rule: SigmaRule)] = [:]
        var order: [String] = []
        for (table, rule) in pairs {
            let present = presentCache[ObjectIdentifier(table)] ?? presentByServer(table)
            presentCache[ObjectIdentifier(table)] = present
            for (server, fields) in present {
                let key = server + "\u{0}" + rule.findingRule
                if tally[key] == nil { order.append(key) }
                var t = tally[key] ?? (0, 0, [], rule)
                t.ran += 1
                let absent = absentFields(of: rule, in: rule.searches.keys.sorted(), present: fields)
                if !absent.isEmpty, evaluate(rule.condition, rule: rule, absent: Set(absent.map(SigmaTable.key))) == .no {
                    t.blind += 1
                    // Named are the fields of searches that must hold, not those of a filter the rule negates.
                    let deciding = absentFields(of: rule, in: rule.condition.positiveSearches, present: fields)
                    for f in deciding.isEmpty ? absent : deciding where !t.fields.contains(f) { t.fields.append(f) }
                }
                tally[key] = t
            }
        }
        return order.compactMap { key in
            let t = tally[key]!
            guard t.blind == t.ran, let need = map.need(for: t.rule.logsource) else { return nil }
            return FieldGap(server: String(key.prefix { $0 != "\u{0}" }), rule: t.rule.findingRule, need: need, fields: t.fields)
        }
    }

    /// Per server with events in the table: the keys of the fields some of its files hold.
    static func presentByServer(_ table: SigmaTable) -> [String: Set<String>] {
        var serverOf: [Int: String] = [:]
        var out: [String: Set<String>] = [:]
        for f in table.files {
            let s = table.store.files[f].server
            serverOf[f] = s
            out[s] = out[s] ?? []
        }
        for (key, files) in table.filesWithValue {
            for f in files { if let s = serverOf[f] { out[s]!.insert(key) } }
        }
        return out
    }

    /// The fields named in searches `names` (keywords aside) absent from `present`, each once as first written.
    static func absentFields(of rule: SigmaRule, in names: [String], present: Set<String>) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for name in names {
            for item in (rule.searches[name]?.alternatives ?? []).joined() {
                guard let f = item.field, !present.contains(SigmaTable.key(f)), seen.insert(SigmaTable.key(f)).inserted else { continue }
                out.append(f)
            }
        }
        return out
    }

    enum Truth { case no, yes, unknown }

    static func evaluate(_ c: SigmaCondition, rule: SigmaRule, absent: Set<String>) -> Truth {
        switch c {
        case .search(let name):
            guard let s = rule.searches[name] else { return .no }
            return any(s.alternatives.map { every($0.map { item(of: $0, absent: absent) }) })
        case .and(let parts): return every(parts.map { evaluate($0, rule: rule, absent: absent) })
        case .or(let parts): return any(parts.map { evaluate($0, rule: rule, absent: absent) })
        case .not(let inner):
            switch evaluate(inner, rule: rule, absent: absent) {
            case .no: return .yes
            case .yes: return .no
            case .unknown: return .unknown
            }
        }
    }

    /// An item on an absent field holds or fails for every event alike; any other is unknown.
    static func item(of item: SigmaItem, absent: Set<String>) -> Truth {
        guard let field = item.field, absent.contains(SigmaTable.key(field)), !SigmaTable.hasFieldRef(item) else { return .unknown }
        return SigmaMatch.holds(item, nil as String?) ? .yes : .no
    }

    static func every(_ parts: [Truth]) -> Truth {
        parts.contains(.no) ? .no : parts.allSatisfy { $0 == .yes } ? .yes : .unknown
    }

    static func any(_ parts: [Truth]) -> Truth {
        parts.contains(.yes) ? .yes : parts.allSatisfy { $0 == .no } ? .no : .unknown
    }
}

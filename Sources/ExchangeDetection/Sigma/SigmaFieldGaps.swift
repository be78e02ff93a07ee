import ExchangeEvidence

/// Finds the rules that ran but cannot match on a server: where the server's evidence of the rule's log source
/// holds no event the source selects (a Security log without one 4688: process auditing off), or where the
/// rule's condition is false with every field the server's events never hold read as absent.
///
/// Decided in three-valued logic over the condition: an item on an absent field is settled by how it treats
/// an absent value (`|exists: false` and `null` hold, everything else fails); items on present fields,
/// keywords and field references are unknown. A rule bound to several entries (IIS and HttpProxy, Sysmon 1 and
/// Security 4688) is blind on a server only when it is blind in each entry whose files the server has.
enum SigmaFieldGaps {
    /// - Parameters:
    ///   - work: the bindings whose kind (and channel) is loaded, each with the rules it runs;
    ///   - tables: per binding, its table, nil when it selected no event.
    static func of(_ work: [(SigmaLogSourceMap.Binding, [SigmaRule])], tables: [SigmaTable?], store: EventStore,
                   map: SigmaLogSourceMap) -> [FieldGap] {
        // Per server and rule: in how many entries it ran, in how many it was blind, and why.
        var tally: [String: (ran: Int, blind: Int, fields: [String], events: [String], rule: SigmaRule)] = [:]
        var order: [String] = []
        for (i, (binding, rules)) in work.enumerated() {
            let present = tables[i].map(presentByServer) ?? [:]
            for server in servers(of: binding, in: store) {
                for rule in rules {
                    let key = server + "\u{0}" + rule.findingRule
                    if tally[key] == nil { order.append(key) }
                    var t = tally[key] ?? (0, 0, [], [], rule)
                    t.ran += 1
                    if let fields = present[server] {
                        let absent = absentFields(of: rule, in: rule.searches.keys.sorted(), present: fields)
                        if !absent.isEmpty, evaluate(rule.condition, rule: rule, absent: Set(absent.map(SigmaTable.key))) == .no {
                            t.blind += 1
                            // Named are the fields of searches that must hold, not those of a filter the rule negates.
                            let deciding = absentFields(of: rule, in: rule.condition.positiveSearches, present: fields)
                            for f in deciding.isEmpty ? absent : deciding where !t.fields.contains(f) { t.fields.append(f) }
                        }
                    } else {
                        t.blind += 1
                        let what = selection(of: binding)
                        if !t.events.contains(what) { t.events.append(what) }
                    }
                    tally[key] = t
                }
            }
        }
        return order.compactMap { key in
            let t = tally[key]!
            guard t.blind == t.ran, let need = map.need(for: t.rule.logsource) else { return nil }
            return FieldGap(server: String(key.prefix { $0 != "\u{0}" }), rule: t.rule.findingRule, need: need,
                            fields: t.fields, eventsMissing: t.events)
        }
    }

    /// The servers with files of the binding's kind and channel.
    static func servers(of binding: SigmaLogSourceMap.Binding, in store: EventStore) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for f in store.files where f.kind == binding.kind && (binding.channel.map { f.channel.lowercased() == $0 } ?? true) {
            if seen.insert(f.server).inserted { out.append(f.server) }
        }
        return out
    }

    /// What the binding selects, as a responder names it: `Security event 4688`, `IIS logs`.
    static func selection(of binding: SigmaLogSourceMap.Binding) -> String {
        let source = binding.channelName ?? EvidenceNeed.reading([binding.kind]).label
        let values = binding.conditions.keys.sorted().map { k in binding.conditions[k]!.sorted().joined(separator: " or ") }
        return values.isEmpty ? source : "\(source) event \(values.joined(separator: " "))"
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

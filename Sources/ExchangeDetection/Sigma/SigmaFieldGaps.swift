import ExchangeEvidence

/// Finds the rules that ran but cannot match on a server: where the server's evidence of the rule's log source
/// holds no event the source selects (a Security log without one 4688: process auditing off), or where the
/// rule's condition is false with every field the server's events never hold read as absent. And the rules
/// whose filter excludes nothing there: a search the condition negates that is false for want of its fields
/// (a misspelt `cs-uri-quey` under `not filter`), so the rule fires where its author meant it not to.
///
/// Decided in three-valued logic over the condition: an item on an absent field is settled by how it treats
/// an absent value (`|exists: false` and `null` hold, everything else fails), a `fieldref` to or from an
/// absent field fails; items on present fields and keywords are unknown. A rule bound to several entries (IIS and HttpProxy, Sysmon 1 and
/// Security 4688) is blind on a server only when it is blind in each entry whose files the server has.
enum SigmaFieldGaps {
    /// - Parameters:
    ///   - work: the bindings whose kind (and channel) is loaded, each with the rules it runs;
    ///   - tables: per binding, its table, nil when it selected no event.
    static func of(_ work: [(SigmaLogSourceMap.Binding, [SigmaRule])], tables: [SigmaTable?], store: EventStore,
                   map: SigmaLogSourceMap) -> [FieldGap] {
        // Per server and rule: in how many entries it ran, and the entries where it is blind.
        struct Key: Hashable { let server: String; let rule: String }
        var tally: [Key: (ran: Int, blind: [FieldGap.Source], rule: SigmaRule)] = [:]
        var unfiltered: [Key: [FieldGap.Source]] = [:]
        var order: [Key] = []
        for (i, (binding, rules)) in work.enumerated() {
            let present = tables[i].map(presentByServer) ?? [:]
            let (selection, plural) = binding.selection
            for server in binding.servers(in: store) {
                for rule in rules {
                    let key = Key(server: server, rule: rule.findingRule)
                    if tally[key] == nil { order.append(key) }
                    var t = tally[key] ?? (0, [], rule)
                    t.ran += 1
                    if let fields = present[server] {
                        let absent = absentFields(of: rule, in: rule.searches.keys.sorted(), present: fields)
                        if !absent.isEmpty, evaluate(rule.condition, rule: rule, absent: Set(absent.map(SigmaTable.key))) == .no {
                            // Named are the fields of searches that must hold, not those of a filter the rule negates.
                            let deciding = absentFields(of: rule, in: rule.condition.positiveSearches, present: fields)
                            t.blind.append(FieldGap.Source(selection: selection, plural: plural,
                                                           fields: (deciding.isEmpty ? absent : deciding).map { shown($0, in: binding) }))
                        } else {
                            let dead = deadFilterFields(of: rule, present: fields, absent: Set(absent.map(SigmaTable.key)))
                            if !dead.isEmpty {
                                unfiltered[key, default: []].append(FieldGap.Source(selection: selection, plural: plural,
                                                                                    fields: dead.map { shown($0, in: binding) }))
                            }
                        }
                    } else {
                        t.blind.append(FieldGap.Source(selection: selection, plural: plural, fields: []))
                    }
                    tally[key] = t
                }
            }
        }
        return order.compactMap { key in
            let t = tally[key]!
            guard let need = map.need(for: t.rule.logsource) else { return nil }
            if t.blind.count == t.ran { return FieldGap(server: key.server, rule: key.rule, need: need, sources: t.blind) }
            return unfiltered[key].map { FieldGap(server: key.server, rule: key.rule, need: need, sources: $0, filterExcludesNothing: true) }
        }
    }

    /// The absent fields of the rule's negated searches that are false for want of them (each such filter
    /// excludes nothing), as first written; empty when every filter can apply.
    static func deadFilterFields(of rule: SigmaRule, present: Set<String>, absent: Set<String>) -> [String] {
        let dead = rule.condition.negatedSearches.filter { evaluate(.search($0), rule: rule, absent: absent) == .no }
        return absentFields(of: rule, in: dead, present: present)
    }

    /// A Sigma field as the rule writes it, with the evidence's own name where the mapping reads another.
    static func shown(_ field: String, in binding: SigmaLogSourceMap.Binding) -> String {
        if case .column(let name) = binding.source(of: field), name.lowercased() != field.lowercased() { return "\(field) (\(name))" }
        return field
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

    /// The fields named in searches `names` (keywords aside; the fields a `fieldref` compares with included)
    /// absent from `present`, each once as first written.
    static func absentFields(of rule: SigmaRule, in names: [String], present: Set<String>) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for name in names {
            for item in (rule.searches[name]?.alternatives ?? []).joined() {
                let referenced = item.groups.joined().compactMap { t -> String? in if case .fieldRef(let other, _) = t { other } else { nil } }
                for f in [item.field].compactMap({ $0 }) + referenced
                where !present.contains(SigmaTable.key(f)) && seen.insert(SigmaTable.key(f)).inserted {
                    out.append(f)
                }
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

    /// An item on an absent field holds or fails for every event alike, and so does a `fieldref` to an absent
    /// field (a comparison with nothing fails); any other is unknown.
    static func item(of item: SigmaItem, absent: Set<String>) -> Truth {
        guard let field = item.field else { return .unknown }
        let own = absent.contains(SigmaTable.key(field))
        func test(_ t: SigmaTest) -> Truth {
            if case .fieldRef(let other, _) = t { return own || absent.contains(SigmaTable.key(other)) ? .no : .unknown }
            guard own else { return .unknown }
            return SigmaMatch.holds(SigmaItem(field: field, groups: [[t]], all: false, key: item.key), nil as String?) ? .yes : .no
        }
        let groups = item.groups.map { any($0.map(test)) }
        return item.all ? every(groups) : any(groups)
    }

    static func every(_ parts: [Truth]) -> Truth {
        parts.contains(.no) ? .no : parts.allSatisfy { $0 == .yes } ? .yes : .unknown
    }

    static func any(_ parts: [Truth]) -> Truth {
        parts.contains(.yes) ? .yes : parts.allSatisfy { $0 == .no } ? .no : .unknown
    }
}

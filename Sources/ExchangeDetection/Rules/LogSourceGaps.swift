import ExchangeEvidence

/// The built-in rules that ran on a server but cannot match there: in every entry of their log sources that the
/// server has events of, no event is one the entry selects (the process rules on a Security log without 4688:
/// process auditing off). Said as a loaded Sigma rule's is (`FieldGap`: "no Security event 4688 is loaded"), so
/// both kinds of rule share one sentence (reviewer: the process rules passed for having run on such a log).
enum LogSourceGaps {
    /// Each entry is read once for all `rules`, each server's events only until the first it selects.
    static func of(_ rules: [any DetectionRule], store: EventStore, map: SigmaLogSourceMap = .standard) -> [FieldGap] {
        let bound = rules.map { r in (rule: r, bindings: r.logSources.flatMap(map.bindings(for:))) }.filter { !$0.bindings.isEmpty }
        var having: [SigmaLogSourceMap.Binding: [String]] = [:], selecting: [SigmaLogSourceMap.Binding: Set<String>] = [:]
        for b in Set(bound.flatMap(\.bindings)) {
            having[b] = b.servers(in: store)
            selecting[b] = b.serversSelecting(in: store)
        }
        var out: [FieldGap] = []
        for (rule, bindings) in bound {
            var servers: [String] = []
            for b in bindings { for s in having[b]! where !servers.contains(s) { servers.append(s) } }
            for server in servers {
                let present = bindings.filter { having[$0]!.contains(server) }
                guard present.allSatisfy({ !selecting[$0]!.contains(server) }) else { continue }
                var sources: [FieldGap.Source] = []
                for b in present {
                    let (selection, plural) = b.selection
                    let source = FieldGap.Source(selection: selection, plural: plural, fields: [])
                    if !sources.contains(source) { sources.append(source) }
                }
                out.append(FieldGap(server: server, rule: rule.id, need: rule.needs, sources: sources))
            }
        }
        return out
    }
}

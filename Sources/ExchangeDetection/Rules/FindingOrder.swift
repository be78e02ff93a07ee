/// The orders findings are listed in, computed as indexes over integer keys: a hunt with a large Sigma folder
/// has millions of findings, and sorting the findings themselves compared strings and moved every field.
public enum FindingOrder {
    /// Indexes (of `among`, all when nil) in time order across servers, ties by server, rule, then index.
    public static func byTime(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let keys = Keys(findings)
        return (among ?? Array(findings.indices)).sorted { a, b in
            let ka = keys.rows[a], kb = keys.rows[b]
            if ka.time != kb.time { return ka.time < kb.time }
            if ka.server != kb.server { return ka.server < kb.server }
            if ka.rule != kb.rule { return ka.rule < kb.rule }
            return a < b
        }
    }

    /// Indexes grouped per server (servers by name), most severe first, then in time order and by rule — the
    /// order `hunt` prints, so a critical chain leads its server instead of hiding under probes.
    public static func byServerSeverity(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let keys = Keys(findings)
        return (among ?? Array(findings.indices)).sorted { a, b in
            let ka = keys.rows[a], kb = keys.rows[b]
            if ka.server != kb.server { return ka.server < kb.server }
            if ka.severity != kb.severity { return ka.severity > kb.severity }
            if ka.time != kb.time { return ka.time < kb.time }
            if ka.rule != kb.rule { return ka.rule < kb.rule }
            return a < b
        }
    }

    /// Per finding: its time, severity, and the ranks of its server and rule among the distinct names.
    private struct Keys {
        struct Row { var time: Int64; var server: Int32; var rule: Int32; var severity: Int32 }
        var rows: [Row] = []

        init(_ findings: [Finding]) {
            let servers = Self.ranks(findings.map(\.server))
            let rules = Self.ranks(findings.map(\.rule))
            rows.reserveCapacity(findings.count)
            for (i, f) in findings.enumerated() {
                rows.append(Row(time: f.time, server: servers[i], rule: rules[i], severity: Int32(f.severity.rawValue)))
            }
        }

        /// The rank of each name among the sorted distinct names; neighbours usually repeat, so the last name
        /// is checked before the table.
        static func ranks(_ names: [String]) -> [Int32] {
            var ids: [String: Int] = [:]
            var distinct: [String] = []
            var last: (name: String, id: Int)?
            let local = names.map { n -> Int in
                if let last, last.name == n { return last.id }
                let id = ids[n] ?? { ids[n] = distinct.count; distinct.append(n); return distinct.count - 1 }()
                last = (n, id)
                return id
            }
            var rank = [Int32](repeating: 0, count: distinct.count)
            for (r, i) in distinct.indices.sorted(by: { distinct[$0] < distinct[$1] }).enumerated() { rank[i] = Int32(r) }
            return local.map { rank[$0] }
        }
    }
}

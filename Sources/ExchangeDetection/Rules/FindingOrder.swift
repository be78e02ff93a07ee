/// The orders findings are listed in, computed as indexes over integer keys: a hunt with a large Sigma folder
/// has millions of findings, and sorting the findings themselves compared strings and moved every field.
public enum FindingOrder {
    /// Indexes (of `among`, all when nil) in time order across servers, ties by server, rule, then index.
    public static func byTime(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let keys = Keys(findings)
        return sorted(among ?? Array(findings.indices)) { i in
            let k = keys.rows[i]
            return Packed(a: UInt64(bitPattern: k.time) ^ (1 << 63), b: UInt64(k.server), c: UInt64(k.rule) << 32 | UInt64(i))
        }
    }

    /// Indexes grouped per server (servers by name), most severe first, then in time order and by rule — the
    /// order `hunt` prints, so a critical chain leads its server instead of hiding under probes.
    public static func byServerSeverity(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let keys = Keys(findings)
        return sorted(among ?? Array(findings.indices)) { i in
            let k = keys.rows[i]
            return Packed(a: UInt64(k.server) << 8 | UInt64(4 - k.severity), b: UInt64(bitPattern: k.time) ^ (1 << 63), c: UInt64(k.rule) << 32 | UInt64(i))
        }
    }

    /// A sort key as three unsigned words compared in order (times with the sign bit flipped keep their order),
    /// so the sort moves plain values instead of calling back into the findings.
    private struct Packed: Comparable {
        let a: UInt64, b: UInt64, c: UInt64
        static func < (x: Packed, y: Packed) -> Bool { x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.c < y.c }
    }

    /// `indexes` sorted by their packed keys (index and rule rank share the last word: both stay below 2^32).
    private static func sorted(_ indexes: [Int], by key: (Int) -> Packed) -> [Int] {
        var keyed = indexes.map(key)
        keyed.sort()
        return keyed.map { Int($0.c & 0xFFFF_FFFF) }
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

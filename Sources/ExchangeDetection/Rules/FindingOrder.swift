import Dispatch

/// The orders findings are listed in, computed as indexes over integer keys: a hunt with a large Sigma folder
/// has millions of findings, and sorting the findings themselves compared strings and moved every field.
public enum FindingOrder {
    /// Indexes (of `among`, all when nil) in time order across servers, ties by server, rule, then index.
    public static func byTime(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let indexes = among ?? Array(findings.indices)
        let servers = Ranks(findings, indexes, of: .server)
        let rules = Ranks(findings, indexes, of: .rule)
        return sorted(indexes.count) { k in
            let i = indexes[k]
            return Packed(a: UInt64(bitPattern: findings[i].time) ^ (1 << 63), b: UInt64(servers.of[k]) << 32 | UInt64(rules.of[k]),
                          c: UInt64(i))
        }
    }

    /// Indexes grouped per server (servers by name), most severe first, then in time order and by rule — the
    /// order `hunt` prints, so a critical chain leads its server instead of hiding under probes.
    public static func byServerSeverity(_ findings: [Finding], among: [Int]? = nil) -> [Int] {
        let indexes = among ?? Array(findings.indices)
        let servers = Ranks(findings, indexes, of: .server)
        let rules = Ranks(findings, indexes, of: .rule)
        return sorted(indexes.count) { k in
            let i = indexes[k]
            return Packed(a: UInt64(servers.of[k]) << 8 | UInt64(4 - findings[i].severity.rawValue),
                          b: UInt64(bitPattern: findings[i].time) ^ (1 << 63), c: UInt64(rules.of[k]) << 32 | UInt64(i))
        }
    }

    /// The distinct servers of `findings` in name order, and per finding the index of its server among them:
    /// per-server tallies of millions of findings without hashing a name per finding.
    public static func servers(_ findings: [Finding]) -> (names: [String], of: [UInt32]) {
        let ranks = Ranks(findings, Array(findings.indices), of: .server)
        return (ranks.names, ranks.of)
    }

    /// A sort key as three unsigned words compared in order (times with the sign bit flipped keep their order),
    /// so the sort moves plain values instead of calling back into the findings. The finding's index is the low
    /// half of `c`, which makes every key distinct and the order total.
    struct Packed: Comparable {
        let a: UInt64, b: UInt64, c: UInt64
        static func < (x: Packed, y: Packed) -> Bool { x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.c < y.c }
        var index: Int { Int(c & 0xFFFF_FFFF) }
    }

    /// Below this many keys one core sorts them; above, each core sorts half and the halves are merged.
    static let parallelFrom = 1 << 15

    /// The indexes carried by `count` keys, in key order.
    static func sorted(_ count: Int, key: (Int) -> Packed) -> [Int] {
        var keys = [Packed](unsafeUninitializedCapacity: count) { buffer, n in
            for k in 0..<count { (buffer.baseAddress! + k).initialize(to: key(k)) }
            n = count
        }
        if count < parallelFrom {
            keys.sort()
            return keys.map(\.index)
        }
        let mid = count / 2
        return keys.withUnsafeMutableBufferPointer { buffer in
            let halves = SortHalves(buffer: buffer, mid: mid)
            DispatchQueue.concurrentPerform(iterations: 2) { halves.sort($0) }
            return halves.merged()
        }
    }

    /// The two halves of a key buffer, each sorted by one worker, then merged into indexes.
    private struct SortHalves: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Packed>
        let mid: Int

        func sort(_ half: Int) {
            var part = UnsafeMutableBufferPointer(rebasing: half == 0 ? buffer[..<mid] : buffer[mid...])
            part.sort()
        }

        func merged() -> [Int] {
            let n = buffer.count
            return [Int](unsafeUninitializedCapacity: n) { out, count in
                var i = 0, j = mid, k = 0
                while i < mid && j < n {
                    if buffer[j] < buffer[i] { out[k] = buffer[j].index; j += 1 } else { out[k] = buffer[i].index; i += 1 }
                    k += 1
                }
                while i < mid { out[k] = buffer[i].index; i += 1; k += 1 }
                while j < n { out[k] = buffer[j].index; j += 1; k += 1 }
                count = n
            }
        }
    }

    /// For each listed finding, the rank of its name (server or rule) among the distinct names of the listed
    /// findings. Names are found through the object findings share (one per rule, one per file), checked
    /// against the last one first: neighbours usually share it, and strings are neither copied nor hashed then.
    struct Ranks {
        var of: [UInt32]
        /// The distinct names in rank order.
        var names: [String]

        enum Name { case server, rule }

        init(_ findings: [Finding], _ indexes: [Int], of name: Name) {
            var byObject: [ObjectIdentifier: UInt32] = [:]
            var byName: [String: UInt32] = [:]
            var names: [String] = []
            var last: (ObjectIdentifier, UInt32)?
            var local = [UInt32](repeating: 0, count: indexes.count)
            for (k, i) in indexes.enumerated() {
                // The field read in place, not the finding copied (which would count four references up and down).
                let id = name == .server ? ObjectIdentifier(findings[i].origin) : ObjectIdentifier(findings[i].about)
                if let last, last.0 == id { local[k] = last.1; continue }
                let n: UInt32
                if let known = byObject[id] { n = known } else {
                    let text = name == .server ? findings[i].server : findings[i].rule
                    n = byName[text] ?? { byName[text] = UInt32(names.count); names.append(text); return UInt32(names.count - 1) }()
                    byObject[id] = n
                }
                last = (id, n)
                local[k] = n
            }
            var rank = [UInt32](repeating: 0, count: names.count)
            for (r, n) in names.indices.sorted(by: { names[$0] < names[$1] }).enumerated() { rank[n] = UInt32(r) }
            for k in local.indices { local[k] = rank[Int(local[k])] }
            of = local
            self.names = names.sorted()
        }
    }
}

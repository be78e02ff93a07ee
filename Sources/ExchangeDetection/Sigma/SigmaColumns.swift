import ExchangeEvidence

/// A Sigma field read from an indexed store column: items are decided once per distinct value, and the
/// events of a value are found through postings (value → positions), so a test never visits every event.
final class SigmaDistinctColumn {
    let field: InternedField
    /// Local id → store value id (local 0 = absent).
    private(set) var storeIDs: [UInt32] = [0]
    /// Store value id → local id (-1: not seen yet), dense over the store's pool.
    private var local: [Int32]
    /// Local value id per position.
    private(set) var ids: [Int32] = []
    private var postingStart: [Int32] = []
    private var postingList: [Int32] = []

    init(field: InternedField, poolCount: Int) {
        self.field = field
        local = [Int32](repeating: -1, count: max(poolCount, 1))
        local[0] = 0
    }

    @inline(__always)
    func append(_ storeID: UInt32) {
        let l = local[Int(storeID)]
        if l >= 0 { ids.append(l); return }
        let fresh = Int32(storeIDs.count)
        storeIDs.append(storeID)
        local[Int(storeID)] = fresh
        ids.append(fresh)
    }

    /// Builds the postings (counting sort of positions by value).
    func finish() {
        var counts = [Int32](repeating: 0, count: storeIDs.count + 1)
        for v in ids { counts[Int(v) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        postingStart = counts
        var fill = counts
        postingList = [Int32](repeating: 0, count: ids.count)
        for (pos, v) in ids.enumerated() {
            postingList[Int(fill[Int(v)])] = Int32(pos)
            fill[Int(v)] += 1
        }
    }

    /// Whether `item` holds for each distinct value (the table keeps it per item).
    func verdict(_ item: SigmaItem, pool: ValuePool) -> [Bool] {
        storeIDs.map { sid in
            sid == 0 ? SigmaMatch.holds(item, nil as UnsafeRawBufferPointer?) : pool.withBytes(sid) { SigmaMatch.holds(item, $0) }
        }
    }

    func count(matching verdict: [Bool]) -> Int {
        var n = 0
        for (v, ok) in verdict.enumerated() where ok { n += Int(postingStart[v + 1] - postingStart[v]) }
        return n
    }

    /// Sorted positions whose value passes `verdict`.
    func positions(matching verdict: [Bool]) -> [Int32] {
        let total = count(matching: verdict)
        if total == 0 { return [] }
        if total > ids.count / 8 {
            // Many positions: one pass in position order is cheaper than merging postings.
            var out: [Int32] = []
            out.reserveCapacity(total)
            for (pos, v) in ids.enumerated() where verdict[Int(v)] { out.append(Int32(pos)) }
            return out
        }
        var out: [Int32] = []
        out.reserveCapacity(total)
        for (v, ok) in verdict.enumerated() where ok {
            out.append(contentsOf: postingList[Int(postingStart[v])..<Int(postingStart[v + 1])])
        }
        out.sort()
        return out
    }
}

/// A Sigma field read from the event text (too many distinct values to index: URL queries, command lines).
/// While the table is built, one multi-pattern pass over every value records where each required literal
/// of the rules' patterns occurs; an item is then verified only on those positions.
final class SigmaStreamedColumn {
    let source: SigmaFieldSource
    /// Folded literal → index into `hits`.
    let literalIndex: [[UInt8]: Int]
    private let matcher: MultiPatternMatcher?
    /// Positions (sorted, distinct) whose value contains each literal.
    private(set) var hits: [[Int32]]

    static let fold: [UInt8] = (0..<256).map { ByteMatch.lower(UInt8($0)) }

    init(source: SigmaFieldSource, literals: [[UInt8]]) {
        self.source = source
        let unique = Array(Set(literals.map { $0.map(ByteMatch.lower) })).filter { !$0.isEmpty }.sorted { $0.lexicographicallyPrecedes($1) }
        var idx: [[UInt8]: Int] = [:]
        for (i, l) in unique.enumerated() { idx[l] = i }
        literalIndex = idx
        matcher = unique.isEmpty ? nil : MultiPatternMatcher(patterns: unique, fold: Self.fold)
        hits = Array(repeating: [], count: unique.count)
    }

    /// Records the literals found in the value at `pos`.
    func scan(_ value: UnsafeRawBufferPointer, at pos: Int32) {
        guard let matcher else { return }
        matcher.scan(value) { p, _ in
            if hits[p].last != pos { hits[p].append(pos) }
            return true
        }
    }

    /// Positions that may satisfy `item`, or nil when some test has no literal to look for. `exact` is true
    /// when the literal hits decide the item by themselves (every test a case-insensitive `contains`).
    func candidates(_ item: SigmaItem) -> (positions: [Int32], exact: Bool)? {
        var exact = true
        func group(_ tests: [SigmaTest]) -> [Int32]? {
            var lists: [[Int32]] = []
            for t in tests {
                let lit: [UInt8]
                switch t {
                case .pattern(let p):
                    lit = p.requiredLiteral.map(ByteMatch.lower)
                    if !p.isPlainContains { exact = false }
                case .regex(let r):
                    lit = r.requiredLiteral
                    exact = false
                default:
                    return nil
                }
                guard !lit.isEmpty, let i = literalIndex[lit] else { return nil }
                lists.append(hits[i])
            }
            return SigmaSets.union(lists)
        }
        let perGroup = item.groups.map(group)
        if item.all {
            let known = perGroup.compactMap { $0 }
            if known.count < perGroup.count { exact = false }
            guard var result = known.min(by: { $0.count < $1.count }) else { return nil }
            if exact { for g in known where !result.isEmpty { result = SigmaSets.intersect(result, g) } }
            return (result, exact)
        }
        if perGroup.contains(where: { $0 == nil }) { return nil }
        return (SigmaSets.union(perGroup.map { $0! }), exact)
    }
}

/// Deciding an item on one value (nil: the field is absent).
enum SigmaMatch {
    static func holds(_ item: SigmaItem, _ value: UnsafeRawBufferPointer?) -> Bool {
        func group(_ g: [SigmaTest]) -> Bool {
            g.contains { t in value.map { t.matches($0) } ?? t.matchesAbsent }
        }
        return item.all ? item.groups.allSatisfy(group) : item.groups.contains(where: group)
    }

    static func holds(_ item: SigmaItem, _ value: String?) -> Bool {
        guard var v = value else { return holds(item, nil as UnsafeRawBufferPointer?) }
        return v.withUTF8 { holds(item, UnsafeRawBufferPointer($0)) }
    }
}

/// Sorted position lists.
enum SigmaSets {
    static func union(_ lists: [[Int32]]) -> [Int32] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        if nonEmpty.count == 2 { return merge(nonEmpty[0], nonEmpty[1]) }
        // Many lists: mark the positions in a bitmap and read it back in order (no sort).
        let top = Int(nonEmpty.map { $0.last! }.max()!) + 1
        var bits = [UInt64](repeating: 0, count: (top + 63) / 64)
        var total = 0
        for l in nonEmpty {
            total += l.count
            for x in l { bits[Int(x) >> 6] |= 1 << UInt64(Int(x) & 63) }
        }
        var out: [Int32] = []
        out.reserveCapacity(total)
        for (w, word) in bits.enumerated() where word != 0 {
            var v = word
            while v != 0 {
                out.append(Int32(w * 64 + v.trailingZeroBitCount))
                v &= v - 1
            }
        }
        return out
    }

    static func merge(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { out.append(a[i]); i += 1 } else if b[j] < a[i] { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1; j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    static func intersect(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        var out: [Int32] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { i += 1 } else if b[j] < a[i] { j += 1 } else { out.append(a[i]); i += 1; j += 1 }
        }
        return out
    }

    static func subtract(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        if b.isEmpty { return a }
        var out: [Int32] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }
}

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
        guard item.groups.contains(where: { $0.contains(where: \.isUserAgent) }) else {
            return storeIDs.map { sid in
                sid == 0 ? SigmaMatch.holds(item, nil as UnsafeRawBufferPointer?) : pool.withBytes(sid) { SigmaMatch.holds(item, $0) }
            }
        }
        let folded = foldedValues(pool)
        return storeIDs.indices.map { l in
            storeIDs[l] == 0 ? SigmaMatch.holds(item, nil as UnsafeRawBufferPointer?)
                : pool.withBytes(storeIDs[l]) { v in folded[l].withUnsafeBytes { SigmaMatch.holds(item, v, userAgentFolded: $0) } }
        }
    }

    /// The distinct values in user-agent spelling (`SigmaTest.userAgent`), folded once for all the rules.
    private var folded: [[UInt8]]?
    private func foldedValues(_ pool: ValuePool) -> [[UInt8]] {
        if let folded { return folded }
        let f = storeIDs.map { sid in sid == 0 ? [] : pool.withBytes(sid) { $0.map(IndicatorNormalizer.uaFold) } }
        folded = f
        return f
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
///
/// While the table is built, one multi-pattern pass over every value records where each required literal
/// of the rules' tests occurs. A case-insensitive `contains` is decided by its literal alone; every other
/// test (ends with, globs, cased, regular expressions) is verified right there, on the value in hand, the
/// first time its literal occurs in it — so the value is read once per hunt and never again per rule, and a
/// test shared by many rules is checked once per event.
final class SigmaStreamedColumn {
    let source: SigmaFieldSource
    /// Folded literal → index into `hits`.
    let literalIndex: [[UInt8]: Int]
    private let matcher: MultiPatternMatcher?
    /// Positions (sorted, distinct) whose value contains each literal.
    private(set) var hits: [[Int32]]
    /// Tests verified during the scan, by index; per literal, the tests to verify where it occurs.
    private let verified: [SigmaTest]
    private let verifiedIndex: [SigmaTest: Int]
    private let verifyOn: [[Int]]
    /// Positions (sorted) where each verified test holds.
    private var verifiedHits: [[Int32]]

    static let fold: [UInt8] = (0..<256).map { ByteMatch.lower(UInt8($0)) }

    /// The literal a test is found by (folded; empty when it has none), and whether finding it decides the test.
    static func literal(of t: SigmaTest) -> (bytes: [UInt8], exact: Bool)? {
        switch t {
        case .pattern(let p): return (p.requiredLiteral.map(ByteMatch.lower), p.isPlainContains)
        case .regex(let r): return (r.requiredLiteral, false)
        case .integer(let n): return (n.literal, false)
        default: return nil
        }
    }

    /// `tests`: every test of the items read from this column.
    init(source: SigmaFieldSource, tests: [SigmaTest]) {
        self.source = source
        var lits = Set<[UInt8]>()
        var toVerify: [SigmaTest] = []
        var seenTests = Set<SigmaTest>()
        for t in tests {
            guard let (lit, exact) = Self.literal(of: t), !lit.isEmpty else { continue }
            lits.insert(lit)
            if !exact && seenTests.insert(t).inserted { toVerify.append(t) }
        }
        let unique = lits.sorted { $0.lexicographicallyPrecedes($1) }
        var idx: [[UInt8]: Int] = [:]
        for (i, l) in unique.enumerated() { idx[l] = i }
        literalIndex = idx
        matcher = unique.isEmpty ? nil : MultiPatternMatcher(patterns: unique, fold: Self.fold)
        hits = Array(repeating: [], count: unique.count)
        var on = [[Int]](repeating: [], count: unique.count)
        var vIndex: [SigmaTest: Int] = [:]
        for (i, t) in toVerify.enumerated() {
            vIndex[t] = i
            on[idx[Self.literal(of: t)!.bytes]!].append(i)
        }
        verified = toVerify
        verifiedIndex = vIndex
        verifyOn = on
        verifiedHits = Array(repeating: [], count: toVerify.count)
    }

    /// An empty column with the same literals and tests, for scanning another part of the events in parallel.
    func emptyCopy() -> SigmaStreamedColumn { SigmaStreamedColumn(sameAs: self) }

    private init(sameAs o: SigmaStreamedColumn) {
        source = o.source
        literalIndex = o.literalIndex
        matcher = o.matcher
        hits = Array(repeating: [], count: o.hits.count)
        verified = o.verified
        verifiedIndex = o.verifiedIndex
        verifyOn = o.verifyOn
        verifiedHits = Array(repeating: [], count: o.verifiedHits.count)
    }

    /// Appends the hits of a copy that scanned the next part of the events, whose positions start at `offset`.
    func append(_ part: SigmaStreamedColumn, offset: Int32) {
        for i in hits.indices where !part.hits[i].isEmpty { hits[i] += part.hits[i].map { $0 + offset } }
        for i in verifiedHits.indices where !part.verifiedHits[i].isEmpty { verifiedHits[i] += part.verifiedHits[i].map { $0 + offset } }
    }

    /// Values waiting to be scanned together, each followed by the matcher's reset byte; where each ends
    /// (exclusive) and its position.
    private var batch: [UInt8] = []
    private var batchEnds: [Int] = []
    private var batchPositions: [Int32] = []
    /// Bytes gathered before a batch is scanned.
    static let batchBytes = 1 << 16

    /// Records the literals found in the value at `pos`, and verifies the tests that wait on them. Values are
    /// gathered and scanned a batch at a time (call `flush` after the last): a URL is ~75 bytes, and scanned
    /// alone each step of the automaton waited for the last (its table is larger than the first-level cache);
    /// a batch is scanned as two interleaved streams, and the call and set-up are paid per batch.
    func scan(_ value: UnsafeRawBufferPointer, at pos: Int32) {
        guard let matcher else { return }
        guard let reset = matcher.resetByte else {
            matcher.scan(value) { p, _ in record(p, at: pos, in: value); return true }
            return
        }
        batch.append(contentsOf: value)
        batchEnds.append(batch.count)
        batch.append(reset)
        batchPositions.append(pos)
        if batch.count >= Self.batchBytes { flush() }
    }

    /// Scans the values gathered by `scan`; `hits` are complete once this returns.
    func flush() {
        guard let matcher, !batchPositions.isEmpty else { return }
        batch.withUnsafeBytes { all in
            var k = 0
            // Matches come in order of their ends, and none spans a reset byte: the value holding a match is
            // the first one ending at or after it.
            matcher.scan(all) { p, end in
                while batchEnds[k] < end { k += 1 }
                let start = k == 0 ? 0 : batchEnds[k - 1] + 1
                record(p, at: batchPositions[k], in: UnsafeRawBufferPointer(rebasing: all[start..<batchEnds[k]]))
                return true
            }
        }
        batch.removeAll(keepingCapacity: true)
        batchEnds.removeAll(keepingCapacity: true)
        batchPositions.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func record(_ p: Int, at pos: Int32, in value: UnsafeRawBufferPointer) {
        if hits[p].last != pos {
            hits[p].append(pos)
            for t in verifyOn[p] where verified[t].matches(value) { verifiedHits[t].append(pos) }
        }
    }

    /// The sorted positions where test `t` holds, when the scan decided it.
    private func positions(of t: SigmaTest) -> [Int32]? {
        guard let (lit, exact) = Self.literal(of: t), !lit.isEmpty, let li = literalIndex[lit] else { return nil }
        if exact { return hits[li] }
        return verifiedIndex[t].map { verifiedHits[$0] }
    }

    /// Positions that may satisfy `item`, or nil when some test has no literal to look for. `exact` is true
    /// when the scan decided the item by itself; otherwise (an `|all` item with a group the scan cannot
    /// decide) the positions are candidates to verify.
    func candidates(_ item: SigmaItem) -> (positions: [Int32], exact: Bool)? {
        func group(_ tests: [SigmaTest]) -> [Int32]? {
            var lists: [[Int32]] = []
            for t in tests {
                guard let l = positions(of: t) else { return nil }
                lists.append(l)
            }
            return SigmaSets.union(lists)
        }
        let perGroup = item.groups.map(group)
        if item.all {
            let known = perGroup.compactMap { $0 }.sorted { $0.count < $1.count }
            guard var result = known.first else { return nil }
            for g in known.dropFirst() where !result.isEmpty { result = SigmaSets.intersect(result, g) }
            return (result, known.count == perGroup.count)
        }
        if perGroup.contains(where: { $0 == nil }) { return nil }
        return (SigmaSets.union(perGroup.map { $0! }), true)
    }
}

/// Deciding an item on one value (nil: the field is absent).
enum SigmaMatch {
    /// `userAgentFolded`: the value already folded for `SigmaTest.userAgent` tests, when the caller has it.
    static func holds(_ item: SigmaItem, _ value: UnsafeRawBufferPointer?, userAgentFolded: UnsafeRawBufferPointer? = nil) -> Bool {
        func group(_ g: [SigmaTest]) -> Bool {
            g.contains { t in
                if let f = userAgentFolded, case .userAgent(let p) = t { return p.matches(f) }
                return value.map { t.matches($0) } ?? t.matchesAbsent
            }
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

    /// True when sorted `list` holds `x` (binary search).
    static func contains(_ list: [Int32], _ x: Int32) -> Bool {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if list[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] == x
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

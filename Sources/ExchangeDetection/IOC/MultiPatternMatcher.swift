/// An Aho–Corasick automaton over bytes: finds every occurrence of many patterns in one left-to-right pass,
/// so the cost of a scan grows with the bytes scanned, not with the number of patterns.
///
/// Bytes are folded before matching (the fold table is given at build time; `IOCPatterns.fold` lower-cases, unifies
/// path separators and user-agent spellings), so the automaton finds candidates and the caller confirms them
/// with its own field rules. Folded bytes are mapped to a small alphabet of classes (bytes that occur in no
/// pattern share class 0), which keeps the dense transition table small enough to stay in cache.
/// When the dense table would exceed `denseLimit` entries (huge loaded lists), the automaton keeps its
/// sparse goto/failure form instead: slower per byte, but memory proportional to the patterns.
public final class MultiPatternMatcher: Sendable {
    /// Pattern ids ending at each state (including those of shorter suffixes), flattened.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    /// Byte → class, with the fold applied.
    private let classOf: [UInt8]
    private let classCount: Int
    /// Dense table: entry = next state * classCount, with `matchBit` set when that state has outputs.
    private let dense: [UInt32]
    /// Sparse form (used when `dense` is empty).
    private let sparse: SparseTrie?
    /// Lengths of the patterns, to turn an end offset into a start.
    public let patternLengths: [Int32]
    /// The longest pattern's length: where the second stream of a split scan starts (computed once: taking the
    /// maximum of hundreds of lengths on every scanned value was a tenth of a Sigma table's build).
    private let longest: Int
    /// A byte in no pattern (after folding), or nil when every byte class is in use. Scanning it returns the
    /// automaton to its start, so short values joined by it can be scanned as one text (and on two interleaved
    /// streams) without a match spanning two of them.
    public let resetByte: UInt8?
    /// Folded patterns, kept only when the alphabet overflowed (more than 254 distinct folded bytes):
    /// then some bytes share a class and candidates are confirmed byte by byte.
    private let overflowPatterns: [[UInt8]]?
    private let fold: [UInt8]

    static let matchBit: UInt32 = 0x8000_0000
    /// Largest dense table built (entries); about 128 MB.
    public static let denseLimit = 32 << 20

    /// Builds the automaton. `fold` maps every byte before matching, for patterns and text alike.
    public init(patterns: [[UInt8]], fold: [UInt8], denseLimit: Int = MultiPatternMatcher.denseLimit) {
        precondition(fold.count == 256)
        // Alphabet: class 0 for bytes in no pattern.
        var classOfFolded = [UInt8](repeating: 0, count: 256)
        var nextClass = 1
        for p in patterns {
            for b in p where classOfFolded[Int(fold[Int(b)])] == 0 {
                if nextClass < 255 {
                    classOfFolded[Int(fold[Int(b)])] = UInt8(nextClass)
                    nextClass += 1
                }
            }
        }
        var cls = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 { cls[b] = classOfFolded[Int(fold[b])] }
        classOf = cls
        classCount = nextClass
        self.fold = fold
        overflowPatterns = nextClass >= 255 ? patterns.map { $0.map { fold[Int($0)] } } : nil
        resetByte = nextClass >= 255 ? nil : (0..<256).first { cls[$0] == 0 }.map { UInt8($0) }
        patternLengths = patterns.map { Int32($0.count) }
        longest = max(1, patterns.map(\.count).max() ?? 1)

        let trie = SparseTrie(patterns: patterns.map { $0.map { cls[Int($0)] } })
        var starts: [Int32] = [0]
        var outs: [Int32] = []
        for s in 0..<trie.stateCount {
            outs.append(contentsOf: trie.outputs[s])
            starts.append(Int32(outs.count))
        }
        outputStart = starts
        outputs = outs

        if trie.stateCount * nextClass <= denseLimit {
            var table = [UInt32](repeating: 0, count: trie.stateCount * nextClass)
            // Breadth-first order guarantees a state's failure target is complete before the state itself.
            for s in trie.bfsOrder {
                for c in 0..<nextClass {
                    var target: Int
                    if let t = trie.child(s, UInt8(c)) {
                        target = t
                    } else if s == 0 {
                        target = 0
                    } else {
                        target = Int(table[trie.fail[s] * nextClass + c] & ~Self.matchBit) / nextClass
                    }
                    var entry = UInt32(target * nextClass)
                    if !trie.outputs[target].isEmpty { entry |= Self.matchBit }
                    table[s * nextClass + c] = entry
                }
            }
            dense = table
            sparse = nil
        } else {
            dense = []
            sparse = trie
        }
    }

    /// Calls `onMatch(pattern, end)` for every occurrence (`end` is exclusive, relative to `bytes`).
    /// Return false from `onMatch` to stop early.
    @inline(__always)
    public func scan(_ bytes: UnsafeRawBufferPointer, _ onMatch: (Int, Int) -> Bool) {
        guard let overflowPatterns else { return scanCandidates(bytes, onMatch) }
        scanCandidates(bytes) { p, end in
            let pat = overflowPatterns[p]
            let start = end - pat.count
            for k in 0..<pat.count where fold[Int(bytes[start + k])] != pat[k] { return true }
            return onMatch(p, end)
        }
    }

    @inline(__always)
    private func scanCandidates(_ bytes: UnsafeRawBufferPointer, _ onMatch: (Int, Int) -> Bool) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let n = bytes.count
        if let sparse {
            var s = 0
            for i in 0..<n {
                s = sparse.step(s, classOf[Int(base.load(fromByteOffset: i, as: UInt8.self))])
                if !sparse.outputs[s].isEmpty {
                    for p in sparse.outputs[s] where !onMatch(Int(p), i + 1) { return }
                }
            }
            return
        }
        dense.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { cls in
                let t = table.baseAddress!, c = cls.baseAddress!
                let p = base.assumingMemoryBound(to: UInt8.self)
                func each(_ s: UInt32, _ body: (Int) -> Bool) -> Bool {
                    let state = Int(s & ~Self.matchBit) / classCount
                    for k in Int(outputStart[state])..<Int(outputStart[state + 1]) where !body(Int(outputs[k])) { return false }
                    return true
                }
                // Stream A covers [0, mid); on big inputs stream B covers the rest, starting early enough to see
                // every match that ends after `mid`. Two independent state chains keep the CPU busy while each
                // waits for its table load; B's matches are held back so the caller sees them in order.
                let mid = n >= Self.splitSize ? n / 2 : n
                var i = 0, s: UInt32 = 0
                var j = max(0, mid - (longest - 1)), u: UInt32 = 0
                var pending: [(pattern: Int, end: Int)] = []
                if mid < n {
                    while true {
                        let r = Self.run2(t, c, p, &i, &s, mid, &j, &u, n)
                        if r == 0 { break }
                        if r & 1 != 0 && !each(s, { onMatch($0, i) }) { return }
                        if r & 2 != 0 && j > mid { _ = each(u, { pending.append(($0, j)); return true }) }
                    }
                }
                while i < mid {
                    (i, s) = Self.run(t, c, p, i, mid, s)
                    guard s & Self.matchBit != 0 else { break }
                    if !each(s, { onMatch($0, i) }) { return }
                }
                if mid < n {
                    while j < n {
                        (j, u) = Self.run(t, c, p, j, n, u)
                        guard u & Self.matchBit != 0 else { break }
                        if j > mid { _ = each(u, { pending.append(($0, j)); return true }) }
                    }
                    for m in pending where !onMatch(m.pattern, m.end) { return }
                }
            }
        }
    }

    /// Inputs at least this long are scanned as two interleaved streams.
    static let splitSize = 1 << 12

    /// Two streams stepped in lockstep until either reaches a state with matches (bit 1: A, bit 2: B) or one
    /// reaches its end (0).
    @inline(never)
    private static func run2(_ t: UnsafePointer<UInt32>, _ c: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>,
                             _ a: inout Int, _ sa: inout UInt32, _ endA: Int,
                             _ b: inout Int, _ sb: inout UInt32, _ endB: Int) -> UInt32 {
        var i = a, j = b, s = sa, u = sb
        defer { a = i; b = j; sa = s; sb = u }
        while i < endA && j < endB {
            s = t[Int(s & ~matchBit) &+ Int(c[Int(p[i])])]
            u = t[Int(u & ~matchBit) &+ Int(c[Int(p[j])])]
            i &+= 1
            j &+= 1
            if (s | u) & matchBit != 0 { return (s >> 31) | ((u >> 31) << 1) }
        }
        return 0
    }

    /// The hot loop: steps through bytes until a state with matches (or the end), with nothing else in the
    /// loop so the state stays in a register.
    @inline(never)
    private static func run(_ t: UnsafePointer<UInt32>, _ c: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>,
                            _ from: Int, _ n: Int, _ start: UInt32) -> (Int, UInt32) {
        var s = start
        var i = from
        while i < n {
            s = t[Int(s & ~matchBit) &+ Int(c[Int(p[i])])]
            i &+= 1
            if s & matchBit != 0 { return (i, s) }
        }
        return (n, s)
    }
}

/// The trie of an Aho–Corasick automaton with failure links, transitions kept as small sorted lists.
final class SparseTrie: @unchecked Sendable {
    /// Per state: (class, child) sorted by class.
    private var edges: [[(UInt8, Int32)]] = [[]]
    var fail: [Int] = [0]
    var outputs: [[Int32]] = [[]]
    private(set) var bfsOrder: [Int] = []
    /// Root transitions as a direct table (most steps of a scan start here).
    private var rootNext = [Int32](repeating: 0, count: 256)

    var stateCount: Int { edges.count }

    init(patterns: [[UInt8]]) {
        for (id, p) in patterns.enumerated() where !p.isEmpty {
            var s = 0
            for c in p {
                if let t = child(s, c) { s = t } else {
                    let t = edges.count
                    edges.append([])
                    fail.append(0)
                    outputs.append([])
                    insertEdge(s, c, t)
                    s = t
                }
            }
            outputs[s].append(Int32(id))
        }
        for (c, t) in edges[0] { rootNext[Int(c)] = t }
        // Breadth-first: failure links and inherited outputs.
        var queue: [Int] = [0]
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            for (c, t32) in edges[s] {
                let t = Int(t32)
                if s != 0 {
                    var f = fail[s]
                    while f != 0 && child(f, c) == nil { f = fail[f] }
                    let g = child(f, c) ?? 0
                    fail[t] = g == t ? 0 : g
                } else {
                    fail[t] = 0
                }
                if !outputs[fail[t]].isEmpty { outputs[t].append(contentsOf: outputs[fail[t]]) }
                queue.append(t)
            }
        }
        bfsOrder = queue
    }

    @inline(__always)
    func child(_ s: Int, _ c: UInt8) -> Int? {
        let e = edges[s]
        var lo = 0, hi = e.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if e[mid].0 < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < e.count && e[lo].0 == c ? Int(e[lo].1) : nil
    }

    private func insertEdge(_ s: Int, _ c: UInt8, _ t: Int) {
        var lo = 0
        while lo < edges[s].count && edges[s][lo].0 < c { lo += 1 }
        edges[s].insert((c, Int32(t)), at: lo)
    }

    /// One automaton step from state `s` on class `c`.
    @inline(__always)
    func step(_ s: Int, _ c: UInt8) -> Int {
        var s = s
        while true {
            if s == 0 { return Int(rootNext[Int(c)]) }
            if let t = child(s, c) { return t }
            s = fail[s]
        }
    }
}

import ExchangeEvidence

/// Positions in the time order grouped by a small integer key (a server, a source, an interned IP),
/// stored compactly: `positions[starts[k]..<starts[k+1]]` are key `k`'s positions, ascending.
///
/// Because positions ascend with time, a time range inside one key is two binary searches.
struct Postings {
    let starts: [Int]
    let positions: [Int32]

    /// Builds the lists in two passes over the time order (count, then fill), without per-key arrays.
    init(keyCount: Int, order: [EventID], key: (EventID) -> Int) {
        var counts = [Int](repeating: 0, count: keyCount + 1)
        for e in order { counts[key(e) + 1] += 1 }
        for k in 0..<keyCount { counts[k + 1] += counts[k] }
        starts = counts
        var next = counts
        var out = [Int32](repeating: 0, count: order.count)
        for (p, e) in order.enumerated() {
            let k = key(e)
            out[next[k]] = Int32(truncatingIfNeeded: p)
            next[k] += 1
        }
        positions = out
    }

    /// How many positions `key` has.
    func count(_ key: Int) -> Int { key >= 0 && key + 1 < starts.count ? starts[key + 1] - starts[key] : 0 }

    /// The positions of `key` that fall in `range` of the time order.
    func slice(_ key: Int, within range: Range<Int>) -> ArraySlice<Int32> {
        guard key >= 0, key + 1 < starts.count else { return [] }
        let all = positions[starts[key]..<starts[key + 1]]
        let lo = lowerBound(all, Int32(range.lowerBound))
        let hi = lowerBound(all, Int32(clamping: range.upperBound))
        return all[lo..<hi]
    }

    private func lowerBound(_ s: ArraySlice<Int32>, _ v: Int32) -> Int {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if s[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

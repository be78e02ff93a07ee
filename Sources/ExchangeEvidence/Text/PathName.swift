extension String {
    /// The last component of a `/`-separated path (what `split(separator: "/").last` gives), found by bytes.
    /// `split` walks Characters (grapheme breaking); called for each of a load's files it took ~5 % of the load's
    /// CPU on 17,000 files, some of it in the merge that runs on one core. `/` is ASCII, so the byte positions
    /// found are character boundaries.
    public var pathFileName: Substring {
        let u = utf8
        var end = u.endIndex
        while end > u.startIndex, u[u.index(before: end)] == UInt8(ascii: "/") { end = u.index(before: end) }
        var start = end
        while start > u.startIndex, u[u.index(before: start)] != UInt8(ascii: "/") { start = u.index(before: start) }
        return self[start..<end]
    }
}

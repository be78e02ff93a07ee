import CLineScan

/// Finds the separators of one line, noting on the way whether the line has non-ASCII or control bytes or
/// quotes — one pass over the bytes instead of four (the per-byte loop was the largest cost of parsing).
public struct SeparatorScan {
    /// `starts[k]` is where field k begins, for k ≤ `located`, so located field k spans
    /// `starts[k] ..< starts[k + 1] - 1`; when every field is located, `starts[fields]` is the line length + 1
    /// (a sentinel). At most `capacity - 1` fields are located.
    public private(set) var starts: UnsafeMutableBufferPointer<Int>
    public private(set) var fields = 0
    public private(set) var hasHighBit = false
    /// True when the line holds a control byte (any byte below 0x20, tab included): `LineChecks` looks closer.
    public private(set) var hasLowByte = false
    /// True when the line holds a double quote (CSV readers then split it the slow, quote-aware way).
    public private(set) var hasQuote = false

    public init(capacity: Int = 512) {
        starts = .allocate(capacity: capacity)
        starts.initialize(repeating: 0)
    }

    /// Frees the position buffer (the scanner is reused for every line of a file).
    public func deallocate() { starts.deallocate() }

    /// Number of located fields (at most `capacity - 1`, and at most the `wanted` of the last scan).
    public private(set) var located = 0

    @inlinable @inline(__always)
    public static func zeroBytes(_ x: UInt64) -> UInt64 {
        // High bit set exactly in the bytes of x that are zero.
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// High bit set in some byte of the result exactly when some byte of x is below 0x20 (the flag of a single
    /// byte may be wrong after a borrow, the any-byte answer is exact).
    @inlinable @inline(__always)
    public static func lowBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x2020_2020_2020_2020) & ~x & 0x8080_8080_8080_8080
    }

    /// Scans `line` for `separator`, locating the first `wanted` fields (readers need the leading columns of
    /// a 74-column HttpProxy line); past them separators are only counted. The pass is C (`CLineScan`: 16 bytes
    /// at a time with SSE2), which also reports quotes, so CSV readers need no second pass over the line.
    @inline(__always)
    public mutating func scan(_ line: UnsafeRawBufferPointer, separator: UInt8, locating wanted: Int = .max) {
        let n = line.count
        let limit = min(starts.count - 1, max(wanted, 1))
        starts[0] = 0
        var flags: UInt32 = 0
        var count = 0
        if let base = line.baseAddress {
            count = starts.baseAddress!.withMemoryRebound(to: Int64.self, capacity: starts.count) {
                Int(exhunt_scan_separators(base.assumingMemoryBound(to: UInt8.self), n, separator, limit, $0, &flags))
            }
        }
        fields = count + 1
        located = min(fields, limit)
        if fields <= limit { starts[fields] = n + 1 }
        hasHighBit = flags & EXHUNT_SCAN_HIGH_BIT != 0
        hasLowByte = flags & EXHUNT_SCAN_LOW_BYTE != 0
        hasQuote = flags & EXHUNT_SCAN_QUOTE != 0
    }

    /// Field k of `line`, or nil when the line has fewer located fields.
    @inline(__always)
    public func field(_ k: Int, of line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard k >= 0, k < located else { return nil }
        let s = starts[k]
        let e = starts[k + 1] - 1
        return UnsafeRawBufferPointer(rebasing: line[s..<max(s, min(e, line.count))])
    }
}

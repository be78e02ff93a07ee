/// Finds the separators of one line eight bytes at a time (SWAR), noting on the way whether the line has
/// non-ASCII or control bytes — one pass over the bytes instead of three (the per-byte loop was the largest
/// cost of parsing).
public struct SeparatorScan {
    /// `starts[k]` is where field k begins, for k ≤ `located`, so located field k spans
    /// `starts[k] ..< starts[k + 1] - 1`; when every field is located, `starts[fields]` is the line length + 1
    /// (a sentinel). At most `capacity - 1` fields are located.
    public private(set) var starts: UnsafeMutableBufferPointer<Int>
    public private(set) var fields = 0
    public private(set) var hasHighBit = false
    /// True when the line may hold a control byte (any byte below 0x20, tab included): `LineChecks` looks closer.
    public private(set) var hasLowByte = false

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
    /// a 74-column HttpProxy line); past them separators are only counted, with a population count per word.
    @inline(__always)
    public mutating func scan(_ line: UnsafeRawBufferPointer, separator: UInt8, locating wanted: Int = .max) {
        let n = line.count
        let limit = min(starts.count - 1, max(wanted, 1))
        var count = 0
        var high: UInt64 = 0
        var low: UInt64 = 0
        let pattern = UInt64(separator) &* 0x0101_0101_0101_0101
        starts[0] = 0
        var i = 0
        if let base = line.baseAddress {
            // Locating: record where each wanted field starts (starts[limit] bounds the last wanted one).
            while i + 8 <= n && count < limit {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                high |= w
                low |= Self.lowBytes(w)
                var m = Self.zeroBytes(w ^ pattern)
                while m != 0 {
                    count += 1
                    if count <= limit { starts[count] = i + (m.trailingZeroBitCount >> 3) + 1 }
                    m &= m &- 1
                }
                i += 8
            }
            // Counting only: one bit per matching byte, summed by a multiply.
            while i + 8 <= n {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                high |= w
                low |= Self.lowBytes(w)
                count &+= Int(truncatingIfNeeded: ((Self.zeroBytes(w ^ pattern) >> 7) &* 0x0101_0101_0101_0101) >> 56)
                i += 8
            }
            while i < n {
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                high |= UInt64(b)
                if b < 0x20 { low |= 0x80 }
                if b == separator {
                    count += 1
                    if count <= limit { starts[count] = i + 1 }
                }
                i += 1
            }
        }
        fields = count + 1
        located = min(fields, limit)
        if fields <= limit { starts[fields] = n + 1 }
        hasHighBit = high & 0x8080_8080_8080_8080 != 0
        hasLowByte = low != 0
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

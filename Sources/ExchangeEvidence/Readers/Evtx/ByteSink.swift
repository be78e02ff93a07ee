/// A growable byte buffer written through a raw pointer: the EVTX reader appends every rendered value
/// here, and `Array.append` per byte (with its uniqueness and capacity checks) was the slower path.
struct ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    @inline(__always) mutating func reserve(_ more: Int) {
        if count &+ more > capacity { grow(count &+ more) }
    }

    private mutating func grow(_ need: Int) {
        var n = capacity * 2
        while n < need { n *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = n
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = b
        count &+= 1
    }

    @inline(__always) mutating func append(_ p: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(from: p.assumingMemoryBound(to: UInt8.self), count: n)
        count &+= n
    }

    mutating func append(_ s: StaticString) { append(UnsafeRawPointer(s.utf8Start), s.utf8CodeUnitCount) }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0.baseAddress!, $0.count) } }

    mutating func append(_ other: ByteSink) { append(UnsafeRawPointer(other.base), other.count) }

    /// Appends bytes with the key-value line escapes (`\\`, `\t`, `\n`, `\r`), as `KeyValueWriter` does.
    @inline(__always) mutating func appendEscaped(_ p: UnsafeRawPointer, _ n: Int) {
        let s = p.assumingMemoryBound(to: UInt8.self)
        // Most values need no escape: one branch-light pass, then a plain copy.
        var special = false
        var j = 0
        while j < n {
            let c = s[j]
            if c == 0x5C || c < 0x0E { special = true; break }
            j &+= 1
        }
        if !special { append(p, n); return }
        reserve(n)
        var i = 0
        while i < n {
            let c = s[i]
            if c == 0x5C || c == 0x09 || c == 0x0A || c == 0x0D {
                append(0x5C)
                append(c == 0x5C ? 0x5C : c == 0x09 ? UInt8(ascii: "t") : c == 0x0A ? UInt8(ascii: "n") : UInt8(ascii: "r"))
            } else {
                if count == capacity { grow(count + 1) }
                base[count] = c
                count &+= 1
            }
            i &+= 1
        }
    }

    /// Decimal digits of `v`.
    mutating func appendDecimal(_ v: UInt64) {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { t in
            var i = 24
            var x = v
            repeat {
                i -= 1
                t[i] = UInt8(48 + x % 10)
                x /= 10
            } while x != 0
            append(t.baseAddress! + i, 24 - i)
        }
    }

    mutating func appendDecimal(_ v: Int64) {
        if v < 0 { append(UInt8(ascii: "-")); appendDecimal(UInt64(bitPattern: 0 &- v)) } else { appendDecimal(UInt64(v)) }
    }

    /// Lower-case hex without leading zeros (`0xf4be`), as Windows writes hex integers.
    mutating func appendHex(_ v: UInt64) {
        append(UInt8(ascii: "0")); append(UInt8(ascii: "x"))
        var shift = 60
        while shift > 0 && (v >> UInt64(shift)) & 0xF == 0 { shift -= 4 }
        while shift >= 0 {
            append(Self.lowerHex[Int((v >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// Two upper-case hex digits per byte (binary values, GUID parts).
    @inline(__always) mutating func appendHexByte(_ b: UInt8) {
        append(Self.upperHex[Int(b >> 4)]); append(Self.upperHex[Int(b & 0xF)])
    }

    /// Zero-padded decimal of `width` digits (at most 8).
    mutating func appendPadded(_ v: Int, _ width: Int) {
        reserve(width)
        var x = v
        var i = width
        while i > 0 {
            i -= 1
            base[count &+ i] = UInt8(truncatingIfNeeded: 48 &+ x % 10)
            x /= 10
        }
        count &+= width
    }

    /// UTF-16LE code units as UTF-8, stopping at a NUL; unpaired surrogates become U+FFFD.
    mutating func appendUTF16(_ p: UnsafeRawPointer, units n: Int) {
        reserve(n)
        var i = 0
        while i < n {
            let u = UInt32(p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
            i &+= 1
            if u < 0x80 {
                if u == 0 { return }
                if count == capacity { grow(count + 1) }
                base[count] = UInt8(u)
                count &+= 1
                continue
            }
            var scalar = u
            if u >= 0xD800 && u < 0xDC00, i < n {
                let lo = UInt32(p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
                if lo >= 0xDC00 && lo < 0xE000 {
                    scalar = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    i &+= 1
                } else { scalar = 0xFFFD }
            } else if u >= 0xD800 && u < 0xE000 {
                scalar = 0xFFFD
            }
            appendScalar(scalar)
        }
    }

    mutating func appendScalar(_ s: UInt32) {
        if s < 0x80 { append(UInt8(s)) } else if s < 0x800 {
            append(UInt8(0xC0 | (s >> 6))); append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            append(UInt8(0xE0 | (s >> 12))); append(UInt8(0x80 | ((s >> 6) & 0x3F))); append(UInt8(0x80 | (s & 0x3F)))
        } else {
            append(UInt8(0xF0 | (s >> 18))); append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            append(UInt8(0x80 | ((s >> 6) & 0x3F))); append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    func equals(_ s: StaticString) -> Bool {
        count == s.utf8CodeUnitCount && memcmp(base, s.utf8Start, count) == 0
    }

    private static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

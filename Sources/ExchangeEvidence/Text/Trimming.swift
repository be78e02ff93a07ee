/// Trimming that walks UTF-8 bytes, so it is linear in what it drops.
///
/// `while s.last == " " { s = s.dropLast() }` on a `Substring` re-runs grapheme breaking from the end on every
/// step: a 100 KB run of spaces in a header took 39 s, a megabyte hours. Only ASCII bytes (and the BOM) are
/// dropped, so the result always starts and ends on a character boundary.
extension Substring {
    /// Drops leading bytes while `leading` holds and trailing bytes while `trailing` holds (both ASCII tests).
    public func trimmingASCII(leading: (UInt8) -> Bool, trailing: (UInt8) -> Bool) -> Substring {
        let u = utf8
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi, leading(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, trailing(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        return self[lo..<hi]
    }

    public func trimmingASCII(_ drop: (UInt8) -> Bool) -> Substring { trimmingASCII(leading: drop, trailing: drop) }
}

extension String {
    public func trimmingASCII(leading: (UInt8) -> Bool, trailing: (UInt8) -> Bool) -> Substring {
        Substring(self).trimmingASCII(leading: leading, trailing: trailing)
    }

    public func trimmingASCII(_ drop: (UInt8) -> Bool) -> Substring { Substring(self).trimmingASCII(drop) }
}

extension String {
    /// Trims ASCII spaces and tabs, and leading byte-order marks (cheaper than Foundation's character-set trimming).
    public func trimmingSpaces() -> String {
        var s = self
        return s.withUTF8 { u in
            let raw = UnsafeRawBufferPointer(u)
            let kept = SpaceTrim.range(raw, 0, raw.count)
            return kept.count == raw.count ? self : String(decoding: UnsafeRawBufferPointer(rebasing: raw[kept]), as: UTF8.self)
        }
    }
}

/// `trimmingSpaces()` on bytes: what a header's names and values keep, found without making a String first.
enum SpaceTrim {
    /// `lo..<hi` of `bytes` without leading spaces, tabs and whole byte-order marks (EF BB BF), and without
    /// trailing spaces and tabs. Only ASCII bytes and whole marks are dropped, so UTF-8 characters stay whole.
    @inline(__always)
    static func range(_ bytes: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> Range<Int> {
        var lo = lo, hi = hi
        while lo < hi {
            let b = bytes[lo]
            if b == 0x20 || b == 0x09 { lo += 1 } else if b == 0xEF, hi - lo >= 3, bytes[lo + 1] == 0xBB, bytes[lo + 2] == 0xBF { lo += 3 } else { break }
        }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
        return lo..<hi
    }
}

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
    /// Trims ASCII spaces and tabs, and a leading byte-order mark (cheaper than Foundation's character-set trimming).
    public func trimmingSpaces() -> String {
        // A BOM is three bytes (EF BB BF): drop those bytes too, and only whole BOMs.
        var s = Substring(self)
        while s.utf8.first == 0xEF || s.utf8.first == 0x20 || s.utf8.first == 0x09 {
            if s.utf8.starts(with: [0xEF, 0xBB, 0xBF]) { s = s.dropFirst() } else if s.utf8.first == 0xEF { break }
            s = s.trimmingASCII(leading: { $0 == 0x20 || $0 == 0x09 }, trailing: { _ in false })
        }
        return String(s.trimmingASCII(leading: { _ in false }, trailing: { $0 == 0x20 || $0 == 0x09 }))
    }
}

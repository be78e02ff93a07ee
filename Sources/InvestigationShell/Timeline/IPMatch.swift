/// An address pattern for `--ip`: a CIDR block (`10.0.0.0/8`, `2001:db8::/32` is not supported) or a
/// prefix ending in `.` or `:` (`167.99.`). Exact addresses are looked up directly and are not an `IPMatch`.
struct IPMatch {
    private enum Kind { case prefix([UInt8]), cidr(UInt32, UInt32) }
    private let kind: Kind

    init?(_ text: String) {
        if let slash = text.firstIndex(of: "/") {
            guard let base = Self.ipv4(Array(text[..<slash].utf8)), let bits = Int(text[text.index(after: slash)...]),
                  (0...32).contains(bits) else { return nil }
            let mask: UInt32 = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
            kind = .cidr(base & mask, mask)
        } else if text.hasSuffix(".") || text.hasSuffix(":") {
            kind = .prefix(Array(text.lowercased().utf8))
        } else {
            return nil
        }
    }

    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        switch kind {
        case .prefix(let p):
            guard value.count >= p.count else { return false }
            for i in 0..<p.count where TimelineQuery.lowerASCII(value[i]) != p[i] { return false }
            return true
        case .cidr(let net, let mask):
            guard value.count <= 15, let a = Self.ipv4(Array(value)) else { return false }
            return a & mask == net
        }
    }

    /// Parses dotted-quad IPv4.
    static func ipv4(_ b: [UInt8]) -> UInt32? {
        var parts: [UInt32] = []
        var cur: UInt32 = 0, digits = 0
        for c in b {
            if c == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                parts.append(cur); cur = 0; digits = 0
            } else if c >= 48 && c <= 57 {
                cur = cur * 10 + UInt32(c - 48); digits += 1
                guard cur <= 255, digits <= 3 else { return nil }
            } else { return nil }
        }
        guard digits > 0 else { return nil }
        parts.append(cur)
        guard parts.count == 4 else { return nil }
        return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }
}

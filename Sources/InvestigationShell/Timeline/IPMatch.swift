import Foundation

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

    /// Why `text` is not an address, a CIDR block or a prefix ending in `.` or `:`; nil when it is one.
    /// A partial address without the trailing dot (`167.99`) is refused rather than matching nothing.
    static func problem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if ipv4(bytes) != nil || isIPv6(text) { return nil }
        if let slash = text.firstIndex(of: "/") {
            let base = String(text[..<slash]), bits = String(text[text.index(after: slash)...])
            if isIPv6(base) { return "'\(text)': IPv6 CIDR blocks are not supported; use a prefix ending in ':' such as 2001:db8:" }
            guard ipv4(Array(base.utf8)) != nil else { return "'\(text)': '\(base)' is not an IPv4 address (CIDR blocks look like 10.0.0.0/8)" }
            guard let n = Int(bits), (0...32).contains(n) else { return "'\(text)': the prefix length must be 0–32, not '\(bits)'" }
            return nil
        }
        if text.hasSuffix(".") {
            let parts = text.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            if parts.count <= 3 && parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && Int($0).map { $0 <= 255 } == true }) {
                return nil
            }
            return "'\(text)' is not an IPv4 prefix (1 to 3 numbers 0–255, each followed by a dot: 167.99.)"
        }
        if text.hasSuffix(":") && text.count > 1 && text.allSatisfy({ $0 == ":" || $0.isHexDigit }) { return nil }
        if !bytes.isEmpty && bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }) {
            let dotted = text.split(separator: ".").count
            if dotted < 4 {
                return "'\(text)' is not a whole IPv4 address; for every address starting with it write '\(text).' "
                    + "or a CIDR block such as \(text)\(String(repeating: ".0", count: 4 - dotted))/\(8 * dotted)"
            }
        }
        return "'\(text)' is not an IP address (an address such as 167.99.168.251, a prefix ending in '.' or ':', or a CIDR block such as 10.0.0.0/8)"
    }

    private static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":") else { return false }
        var addr = in6_addr()
        return inet_pton(AF_INET6, text, &addr) == 1
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

import ExchangeEvidence
import Foundation

/// Turns published indicator text into the value and comparison form the matcher uses.
///
/// Publishers defang values so that nobody clicks them (`103.77.192[.]219`, `hxxp://`, `example[.]com`);
/// every loader passes values through `refang` first. Validation is strict where a wrong value would
/// silently match nothing (a hash of unknown length, an IPv6 literal the matcher cannot compare).
public enum IndicatorNormalizer {
    /// Why a value was rejected, worded for the analyst.
    public struct Rejection: Error, Equatable, CustomStringConvertible {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Undoes the usual defanging: `[.]`, `(.)`, `[dot]`, `[:]`, `[://]`, `hxxp(s)`, `[@]`.
    public static func refang(_ text: String) -> String {
        var s = text.trimmingASCIIWhitespace()
        guard s.contains("[") || s.contains("(") || s.lowercased().hasPrefix("hxxp") || s.lowercased().hasPrefix("fxp") else {
            return s
        }
        for (from, to) in [("[.]", "."), ("(.)", "."), ("[dot]", "."), ("[DOT]", "."), ("[://]", "://"), ("[:]", ":"),
                           ("[@]", "@"), ("[/]", "/")] {
            s = s.replacingOccurrences(of: from, with: to)
        }
        let lower = s.lowercased()
        if lower.hasPrefix("hxxps://") { s = "https://" + s.dropFirst(8) } else if lower.hasPrefix("hxxp://") {
            s = "http://" + s.dropFirst(7)
        } else if lower.hasPrefix("fxp://") { s = "ftp://" + s.dropFirst(6) }
        return s
    }

    /// Builds an indicator of a known type, or explains why the value cannot be one.
    public static func make(_ type: IndicatorType, _ raw: String, set: String, source: String, date: String = "",
                            note: String = "") -> Result<Indicator, Rejection> {
        let value = refang(raw)
        if value.isEmpty { return .failure(Rejection("empty \(type.rawValue) value")) }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(Rejection("\(type.rawValue) value contains control characters"))
        }
        switch normalize(type, value) {
        case .success(let n):
            return .success(Indicator(type: type, value: value, normalized: n, set: set, source: source, date: date, note: note))
        case .failure(let r):
            return .failure(r)
        }
    }

    /// The comparison form of a value of the given type.
    public static func normalize(_ type: IndicatorType, _ value: String) -> Result<String, Rejection> {
        switch type {
        case .ip:
            if looksLikeIPv6(value) { return .failure(Rejection("IPv6 literal \(quoted(value)) is not supported (IPv4 only)")) }
            if value.contains("/") { return cidrBlock(value) }
            guard let ip = canonicalIPv4(value) else { return .failure(Rejection("not an IPv4 address: \(quoted(value))")) }
            return .success(ip)
        case .hash:
            let h = value.lowercased()
            guard !h.isEmpty, h.utf8.allSatisfy(isHex) else { return .failure(Rejection("not a hex digest: \(quoted(value))")) }
            guard [32, 40, 64].contains(h.utf8.count) else {
                return .failure(Rejection("unknown hash length \(h.utf8.count) (expected 32 MD5, 40 SHA-1 or 64 SHA-256): \(quoted(value))"))
            }
            return .success(h)
        case .ua:
            return .success(userAgentForm(value))
        case .path:
            var p = pathForm(value)
            if p.hasPrefix("%programfiles%/") { p = String(p.dropFirst("%programfiles%".count)) }
            return p.isEmpty || p == "/" ? .failure(Rejection("empty path")) : .success(p)
        case .name:
            let n = pathForm(value)
            if n.contains("/") { return .failure(Rejection("a file name has no separators: \(quoted(value))")) }
            return .success(n)
        case .domain:
            let d = String(value.lowercased().trimmingASCII(leading: { _ in false }, trailing: { $0 == 0x2E }))
            guard d.contains("."), d.utf8.allSatisfy({ isDomainByte($0) }) else {
                return .failure(Rejection("not a domain name: \(quoted(value))"))
            }
            return .success(d)
        case .url:
            let u = value.lowercased()
            guard let r = u.range(of: "://"), !u[r.upperBound...].isEmpty else {
                return .failure(Rejection("not a URL (no scheme): \(quoted(value))"))
            }
            return .success(u)
        }
    }

    /// Guesses the type of a bare value from a plain list. Returns nil when nothing fits.
    public static func detectType(_ value: String) -> IndicatorType? {
        let v = value
        let lower = v.lowercased()
        if canonicalIPv4(v) != nil || looksLikeIPv6(v) || looksLikeDottedNumbers(v) || looksLikeCIDR(v) { return .ip }
        if !v.isEmpty, v.utf8.count >= 32, v.utf8.allSatisfy(isHex) { return .hash }
        for scheme in ["http://", "https://", "ftp://"] where lower.hasPrefix(scheme) { return .url }
        if ((v.contains(" ") || v.contains("+(")) && v.contains("/")) || looksLikeProduct(v) { return .ua }
        if v.contains("\\") || v.hasPrefix("/") || (v.utf8.count > 2 && v.utf8.dropFirst().first == UInt8(ascii: ":")) {
            return .path
        }
        if let dot = lower.lastIndex(of: "."), fileExtensions.contains(String(lower[lower.index(after: dot)...])) {
            return v.contains("/") ? .path : .name
        }
        if v.contains("."), v.utf8.allSatisfy({ isDomainByte($0) }), v.utf8.contains(where: isLetter) { return .domain }
        return nil
    }

    // MARK: - Forms

    /// User agents compare after turning IIS's `+` and HttpProxy's comma replacement into plain spaces.
    public static func userAgentForm(_ s: String) -> String {
        String(decoding: s.utf8.map { uaFold($0) }, as: UTF8.self)
    }

    /// Paths compare lower-cased with `/` separators and no drive letter (`C:\Exchange\…` and `D:\Exchange\…` alike).
    public static func pathForm(_ s: String) -> String {
        var bytes = s.utf8.map { pathFold($0) }
        if bytes.count >= 2, isLetter(bytes[0]), bytes[1] == UInt8(ascii: ":") { bytes.removeFirst(2) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte fold used for user agents: `+` and `,` become spaces, case is kept.
    @inline(__always)
    public static func uaFold(_ b: UInt8) -> UInt8 { b == 0x2B || b == 0x2C ? 0x20 : b }

    /// The byte fold used for paths: ASCII lower-case, `\` becomes `/`.
    @inline(__always)
    public static func pathFold(_ b: UInt8) -> UInt8 {
        if b >= 0x41 && b <= 0x5A { return b | 0x20 }
        return b == 0x5C ? 0x2F : b
    }

    /// `a.b.c.d` with each part 0…255, returned without leading zeros.
    public static func canonicalIPv4(_ s: String) -> String? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [String] = []
        for p in parts {
            guard !p.isEmpty, p.utf8.count <= 3, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(p), n <= 255 else {
                return nil
            }
            out.append(String(n))
        }
        return out.joined(separator: ".")
    }

    /// The narrowest block an indicator may name: a /7 would match one address in 128 on the Internet.
    static let widestBlock = 8

    /// A CIDR block in the form `network/length`: host bits cleared (`10.1.2.3/8` is `10.0.0.0/8`), and a /32
    /// is the plain address, so the same block written two ways is one indicator.
    static func cidrBlock(_ value: String) -> Result<String, Rejection> {
        let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let base = canonicalIPv4(String(parts[0])), let address = IPv4Tokens.number(base),
              !parts[1].isEmpty, parts[1].utf8.count <= 2, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let length = Int(parts[1]), length <= 32 else {
            return .failure(Rejection("not an IPv4 address or CIDR block: \(quoted(value)) (blocks look like 198.51.100.0/24)"))
        }
        guard length >= widestBlock else {
            return .failure(Rejection("CIDR block \(quoted(value)) is wider than /\(widestBlock): it would match too much of the Internet"))
        }
        if length == 32 { return .success(base) }
        let network = address & IPBlock.mask(length: length)
        return .success("\(network >> 24).\(network >> 16 & 255).\(network >> 8 & 255).\(network & 255)/\(length)")
    }

    /// `a.b.c.d/n`: meant as a block even when not a valid one, so a plain list reports it as a bad IP.
    static func looksLikeCIDR(_ s: String) -> Bool {
        let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 && looksLikeDottedNumbers(String(parts[0]))
            && !parts[1].isEmpty && parts[1].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Four dot-separated digit groups (`10.0.3.999`): meant as an address even when not a valid one.
    static func looksLikeDottedNumbers(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }

    static func looksLikeIPv6(_ s: String) -> Bool {
        var t = Substring(s)
        if t.hasPrefix("[") && t.hasSuffix("]") { t = t.dropFirst().dropLast() }
        let colons = t.utf8.filter { $0 == UInt8(ascii: ":") }.count
        return colons >= 2 && t.utf8.allSatisfy { isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
    }

    /// `product/1.2.3` (e.g. `python-requests/2.25.1`, `antSword/v2.1`) as written by HTTP clients.
    static func looksLikeProduct(_ s: String) -> Bool {
        guard let slash = s.firstIndex(of: "/"), slash != s.startIndex else { return false }
        let product = s[..<slash], version = s[s.index(after: slash)...]
        guard !version.isEmpty, !version.contains("/"), !product.contains(".") else { return false }
        let v = version.hasPrefix("v") ? version.dropFirst() : version
        return v.first?.isNumber == true && v.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }

    static let fileExtensions: Set<String> = [
        "aspx", "ashx", "asmx", "asp", "php", "jsp", "js", "css", "exe", "dll", "bat", "cmd", "ps1", "vbs", "zip", "7z",
        "rar", "log", "txt", "config", "xml", "eot", "ttf", "gif", "flt", "ecp", "svc", "compiled", "dmp", "tmp",
    ]

    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
    }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isDomainByte(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
    }

    static func quoted(_ s: String) -> String {
        let cut = s.utf8.count > 80 ? String(s.prefix(77)) + "…" : s
        return "'" + cut + "'"
    }
}

extension String {
    /// Leading and trailing spaces, tabs, CR and LF removed (without Foundation's character sets).
    func trimmingASCIIWhitespace() -> String {
        let u = utf8
        var start = u.startIndex, end = u.endIndex
        func ws(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        while start < end, ws(u[start]) { start = u.index(after: start) }
        while end > start, ws(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(self[start..<end])
    }
}

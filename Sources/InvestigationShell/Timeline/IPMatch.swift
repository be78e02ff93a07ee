import ExchangeDetection
import Foundation

/// An address pattern for `--ip`: a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or a prefix ending in `.` or `:`
/// (`167.99.`). Exact addresses are looked up directly and are not an `IPMatch`.
struct IPMatch {
    private enum Kind { case prefix([UInt8]), block(IPBlock) }
    private let kind: Kind

    init?(_ text: String) {
        if text.contains("/") {
            guard let block = IPBlock(text) else { return nil }
            kind = .block(block)
        } else if text.hasSuffix(".") || text.hasSuffix(":") {
            kind = .prefix(Array(text.lowercased().utf8))
        } else {
            return nil
        }
    }

    /// Why `text` is not an address, a CIDR block or a prefix ending in `.` or `:`; nil when it is one.
    /// A partial address without the trailing dot (`167.99`) is refused rather than matching nothing.
    static func problem(_ text: String) -> String? {
        if IPBlock.address(text) != nil { return nil }
        if let slash = text.firstIndex(of: "/") {
            if IPBlock(text) != nil { return nil }
            let base = String(text[..<slash]), bits = String(text[text.index(after: slash)...])
            guard let address = IPBlock.address(base) else {
                return "'\(text)': '\(base)' is not an IP address (CIDR blocks look like 10.0.0.0/8 or 2001:db8::/32)"
            }
            return "'\(text)': the prefix length must be 0–\(address.count * 8), not '\(bits)'"
        }
        if text.hasSuffix(".") {
            let parts = text.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            if parts.count <= 3 && parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && Int($0).map { $0 <= 255 } == true }) {
                return nil
            }
            return "'\(text)' is not an IPv4 prefix (1 to 3 numbers 0–255, each followed by a dot: 167.99.)"
        }
        if text.hasSuffix(":") && text.count > 1 && text.allSatisfy({ $0 == ":" || $0.isHexDigit }) { return nil }
        let bytes = Array(text.utf8)
        if !bytes.isEmpty && bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }) {
            let dotted = text.split(separator: ".").count
            if dotted < 4 {
                return "'\(text)' is not a whole IPv4 address; for every address starting with it write '\(text).' "
                    + "or a CIDR block such as \(text)\(String(repeating: ".0", count: 4 - dotted))/\(8 * dotted)"
            }
        }
        return "'\(text)' is not an IP address (an address such as 167.99.168.251, a prefix ending in '.' or ':', or a CIDR block such as 10.0.0.0/8)"
    }

    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        switch kind {
        case .prefix(let p):
            guard value.count >= p.count else { return false }
            for i in 0..<p.count where TimelineQuery.lowerASCII(value[i]) != p[i] { return false }
            return true
        case .block(let block):
            guard value.count <= 45 else { return false }
            return block.contains(String(decoding: value, as: UTF8.self))
        }
    }
}

import Foundation

/// An IPv4 or IPv6 network: an address and a prefix length (`198.51.100.0/24`, `2001:db8::/32`; a bare address
/// is a block of one). The one reading of CIDR blocks behind indicator lists, Sigma's `cidr` modifier and
/// `timeline --ip`, so a block means the same wherever an analyst writes it.
public struct IPBlock: Sendable, Hashable {
    /// The network's address bytes (4 or 16), host bits cleared.
    public let network: [UInt8]
    /// The prefix length, 0 to 32 (IPv4) or 128 (IPv6).
    public let length: Int

    /// nil unless `text` is an address, or an address, `/` and a prefix length in digits that fits it.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.address(String(parts[0])) else { return nil }
        var length = address.count * 8
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = Int(parts[1]), n <= length else { return nil }
            length = n
        }
        self.length = length
        network = Self.masked(address, length)
    }

    /// True when the address bytes lie in the block (an IPv4 address is never in an IPv6 block).
    public func contains(_ address: [UInt8]) -> Bool {
        address.count == network.count && Self.masked(address, length) == network
    }

    /// True when `text` (spaces around it ignored) is an address in the block.
    public func contains(_ text: String) -> Bool {
        Self.address(text.trimmingCharacters(in: .whitespaces)).map(contains) ?? false
    }

    /// The IPv4 network as a number, for tables per prefix length; nil for IPv6.
    public var ipv4: UInt32? { network.count == 4 ? network.reduce(0) { $0 << 8 | UInt32($1) } : nil }

    /// The IPv4 mask of a prefix length.
    public static func mask(length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    /// The bytes of an IPv4 (4) or IPv6 (16) address, or nil when `text` is neither.
    public static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if text.contains(":"), inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { i, b in
            let bits = min(8, max(0, length - i * 8))
            return bits == 8 ? b : b & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }
}

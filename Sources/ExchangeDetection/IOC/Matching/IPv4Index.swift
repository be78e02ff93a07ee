/// IP indicators by address: single addresses and CIDR blocks (`198.51.100.0/24`, as STIX `ipv4-addr` values
/// and MISP `ip-src` attributes may carry them).
///
/// Blocks are kept in one table per prefix length, so an address is looked up once per length present (at
/// most 25 lookups) however many blocks a list holds, and a single address is simply a /32.
struct IPv4Index: Sendable {
    /// (mask, indicators by network address), longest prefix first.
    private var tables: [(mask: UInt32, byNetwork: [UInt32: [Int]])] = []

    init(_ indicators: [Indicator]) {
        var byLength: [Int: [UInt32: [Int]]] = [:]
        for (i, ind) in indicators.enumerated() where ind.type == .ip {
            guard let (network, length) = Self.block(ind.normalized) else { continue }
            byLength[length, default: [:]][network, default: []].append(i)
        }
        tables = byLength.keys.sorted(by: >).map { (IPBlock.mask(length: $0), byLength[$0]!) }
    }

    var isEmpty: Bool { tables.isEmpty }
    /// True when some indicator is a block wider than one address (raw scans cannot find it as a literal).
    var hasBlocks: Bool { tables.contains { $0.mask != UInt32.max } }

    /// The indicators naming `address` or a block holding it; nil when none does.
    func lookup(_ address: UInt32) -> [Int]? {
        if tables.count == 1 { return tables[0].byNetwork[address & tables[0].mask] }
        var found: [Int]?
        for t in tables {
            guard let list = t.byNetwork[address & t.mask] else { continue }
            if found == nil { found = list } else { found! += list }
        }
        return found
    }

    /// The network and prefix length of a normalised IP indicator (`1.2.3.4` is `1.2.3.4/32`); nil for IPv6.
    static func block(_ normalized: String) -> (UInt32, Int)? {
        guard let b = IPBlock(normalized), let network = b.ipv4 else { return nil }
        return (network, b.length)
    }
}

/// Loopback, RFC 1918, link-local and unique-local addresses: a server's own network, never an outside client.
public enum InternalAddress {
    public static func contains(_ ip: String) -> Bool {
        let l = ip.lowercased()
        if l == "::1" || l.hasPrefix("fe80:") || l.hasPrefix("fc") || l.hasPrefix("fd") { return true }
        let parts = l.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return false }
        switch (parts[0], parts[1]) {
        case (10, _), (127, _), (192, 168), (169, 254): return true
        case (172, let b): return (16...31).contains(b)
        default: return false
        }
    }

    /// Loopback, link-local and unspecified addresses: every machine has them (its own health probes answer on `::1`, a
    /// back-end site on `fe80::…`), so they tell no server from another.
    public static func namesNoMachine(_ ip: String) -> Bool {
        let l = ip.lowercased()
        if l == "::1" || l == "::" || l == "0.0.0.0" || l.hasPrefix("fe80:") || l.hasPrefix("127.") || l.hasPrefix("169.254.") { return true }
        return false
    }
}

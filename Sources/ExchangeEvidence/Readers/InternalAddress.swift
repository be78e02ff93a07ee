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
}

import Foundation

/// The client an `X-Forwarded-For` list names when the request reached IIS through an internal load balancer or
/// reverse proxy: `c-ip` is then the balancer's address, and every attacker behind it would read as one internal
/// client (reviewer: findings and the report blamed 10.0.0.2 for HelseCERT's RedirSuiteServerProxy.aspx requests).
///
/// Each proxy appends the address it was reached from, so the list is read from the right, skipping internal
/// addresses (the organisation's own proxies): the first external one is the client the outermost proxy saw.
/// Addresses further left were written by the client itself and can be forged, so they are not taken.
public enum ForwardedFor {
    /// The client address in `list` (`67.205.176.9,+10.0.0.3`: IIS writes spaces as `+`), or nil when every entry is
    /// internal or none is an address.
    public static func client(_ list: String) -> String? {
        for entry in list.split(separator: ",").reversed() {
            var ip = entry.trimmingCharacters(in: CharacterSet(charactersIn: " +\"[]"))
            // `203.0.113.9:51234`: an IPv4 address with the client's port.
            if ip.filter({ $0 == ":" }).count == 1, let colon = ip.firstIndex(of: ":") { ip = String(ip[..<colon]) }
            guard !ip.isEmpty, ip.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return nil }
            if !InternalAddress.contains(ip) { return ip }
        }
        return nil
    }
}

import ExchangeEvidence

/// CVE-2021-26855 through the back-end cookie: `BackEndCookie` like `Server~*/*~*` carries a URL path where
/// Exchange puts a server name. Asked for in CSS-Exchange issue #310; not in Test-ProxyLogon.
public struct BackEndCookieRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.backend-cookie"
    public let title = "ProxyLogon SSRF via BackEndCookie (CVE-2021-26855)"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.high
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy BackEndCookie like 'Server~*/*~*' (CSS-Exchange issue #310)."

    static let pattern = "server~*/*~*".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        // The cookie is not interned: find lines holding "server~" in the bytes (most proxied requests carry a
        // `Server~FQDN~…` cookie), then read only the cookie's column of those, in place.
        let hits = store.events(containing: "server~", kinds: [.httpProxy]).filter { id in
            store.withField("BackEndCookie", of: id) { cookie in cookie.map { ByteMatch.like(Self.pattern, $0) } ?? false }
        }
        return Grouping.bursts(hits, in: store).map { group in
            let ip = Grouping.distinct(group, .clientIP, in: store).joined(separator: ", ")
            let cookie = store.field("BackEndCookie", of: group[0]) ?? ""
            return Finding(self, store: store, events: group,
                           summary: "\(group.count) request\(group.count == 1 ? "" : "s") from \(ip.isEmpty ? "unknown IP" : ip) with BackEndCookie '\(cookie)'"
                               + " to \(Grouping.tally(group, .urlStem, in: store, limit: 2)), status \(Grouping.tally(group, .status, in: store))")
        }
    }
}

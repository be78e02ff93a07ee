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

    /// A '/' after the `server~` at `hit`, before the next ',' or line end; true when a quote opens the value or
    /// follows (a quoted value may hold commas: the column, read in full, decides).
    static func slashFollows(_ text: UnsafeRawBufferPointer, _ hit: Int) -> Bool {
        var j = hit - 1
        while j >= 0 && text[j] != UInt8(ascii: ",") && text[j] != 0x0A {
            if text[j] == UInt8(ascii: "\"") { return true }
            j -= 1
        }
        var i = hit + 7
        while i < text.count {
            switch text[i] {
            case UInt8(ascii: "/"), UInt8(ascii: "\""): return true
            case UInt8(ascii: ","), 0x0A, 0x0D: return false
            default: i += 1
            }
        }
        return false
    }

    public func run(on store: EventStore) -> [Finding] {
        // The cookie is not interned: find lines holding "server~" in the bytes, then read only the cookie's column
        // of those, in place. Most proxied requests carry a `Server~FQDN~…` cookie: a hit is kept only when a '/'
        // follows it before the value ends (or a quote leaves the end unsure).
        let hits = store.events(containing: "server~", kinds: [.httpProxy], where: Self.slashFollows).filter { id in
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

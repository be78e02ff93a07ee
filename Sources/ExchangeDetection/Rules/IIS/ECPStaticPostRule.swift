import ExchangeEvidence

/// POSTs to `/ecp/<1-3 chars>.js`, `/ecp/default.flt`, `/ecp/main.css` (and `/ecp/auth/w.js`): the stems the
/// public ProxyLogon exploits and HAFNIUM sent the SSRF cookie to (`/ecp/y.js` in HelseCERT's real logs;
/// Metasploit uses random 1–3 character names). Source: Volexity, Neo23x0 `apt_hafnium_log_sigs.yar`, CISA CHIRP.
/// High when the burst shows the exploit proceeding (a 241, or three or more requests with a 2xx), else medium.
public struct ECPStaticPostRule: DetectionRule {
    public init() {}
    public let id = "iis.ecp-static-post"
    public let title = "POST to an ECP script or style resource (CVE-2021-26855 carrier)"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.high
    public let sources = [SourceKind.iis]
    public let help = "IIS POST to /ecp/<1-3 letters or digits>.js, /ecp/default.flt, /ecp/main.css or /ecp/auth/w.js."

    static func matches(_ s: UnsafeRawBufferPointer) -> Bool {
        let fixed = ["/ecp/default.flt", "/ecp/main.css", "/ecp/auth/w.js"]
        if fixed.contains(where: { $0.count == s.count && ByteMatch.hasPrefix($0.lowerBytes, s) }) { return true }
        // /ecp/ + 1-3 alphanumerics + .js
        guard (9...11).contains(s.count), ByteMatch.hasPrefix("/ecp/".lowerBytes, s), ByteMatch.hasSuffix(".js".lowerBytes, s)
        else { return false }
        for i in 5..<(s.count - 3) {
            let c = ByteMatch.lower(s[i])
            if !((97...122).contains(c) || (48...57).contains(c)) { return false }
        }
        return true
    }

    public func run(on store: EventStore) -> [Finding] {
        let hits = RequestMatch.events(store, postOnly: true, stem: Self.matches)
        return Grouping.bursts(hits, in: store).map { group in
            // IIS cannot see where the SSRF went. A 241 (proxyLogon.ecp gave a session) or a run of requests is
            // the exploit proceeding; a single answered POST is an attempt (often autodiscover only).
            let statuses = group.map { store.value(.status, $0) }
            let proceeding = statuses.contains("241") || (group.count >= 3 && statuses.contains { $0.hasPrefix("2") })
            return Finding(self, store: store, events: group, severity: proceeding ? .high : .medium,
                           title: proceeding ? title : "Attempted ProxyLogon request to an ECP resource",
                           summary: RequestMatch.describe(group, store: store))
        }
    }
}

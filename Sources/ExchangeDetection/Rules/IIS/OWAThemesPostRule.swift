import ExchangeEvidence

/// POSTs to static OWA resources under `/owa/auth/Current/` (e.g. `themes/resources/logon.css`): static
/// files are never posted to; HAFNIUM used them to carry the CVE-2021-26855 SSRF (Volexity, CISA CHIRP rule
/// `unauthenticated_execution`, Sigma `web_exchange_exploitation_hafnium`).
public struct OWAThemesPostRule: DetectionRule {
    public init() {}
    public let id = "iis.owa-current-post"
    public let title = "POST to a static OWA resource (CVE-2021-26855 carrier)"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.high
    public let sources = [SourceKind.iis]
    public let help = "IIS POST to /owa/auth/Current/* (themes/resources/logon.css and the like)."

    static let pattern = "/owa/auth/current/*".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        let hits = RequestMatch.events(store, postOnly: true) { ByteMatch.like(Self.pattern, $0) }
        return Grouping.bursts(hits, in: store).map { group in
            Finding(self, store: store, events: group,
                    severity: RequestMatch.succeeded(group, store: store) ? .high : .medium,
                    summary: RequestMatch.describe(group, store: store))
        }
    }
}

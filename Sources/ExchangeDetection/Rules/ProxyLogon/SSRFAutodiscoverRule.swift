import ExchangeEvidence

/// CVE-2021-26855 attempts that only reached `/autodiscover`: the attacker did not find a valid mailbox.
/// Test-ProxyLogon drops these rows (PR #306); its users asked to see them, at a lower severity.
public struct SSRFAutodiscoverRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.ssrf-autodiscover"
    public let title = "ProxyLogon exploit attempt, autodiscover only"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.medium
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy AnchorMailbox like 'ServerInfo~*/autodiscover*' from a client with no other SSRF rows on that server."

    public func run(on store: EventStore) -> [Finding] {
        let byClass = ServerInfoAnchor.events(store)
        guard let auto = byClass[.autodiscover] else { return [] }
        struct Pair: Hashable { let server: String; let ip: UInt32 }
        let escalated = Set(ServerInfoAnchor.ssrf(byClass, in: store).map { Pair(server: store.server(of: $0), ip: store.valueID(.clientIP, $0)) })
        let only = auto.filter { !escalated.contains(Pair(server: store.server(of: $0), ip: store.valueID(.clientIP, $0))) }
        return Grouping.bursts(only, in: store, gap: nil).map { group in
            Finding(self, store: store, events: group,
                    summary: SSRFSummary.describe(group, store: store, what: "autodiscover-only SSRF request"))
        }
    }
}

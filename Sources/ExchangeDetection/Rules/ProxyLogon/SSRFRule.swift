import ExchangeEvidence

/// CVE-2021-26855: HttpProxy rows whose `AnchorMailbox` is like `ServerInfo~*/*` — the front end was told to
/// proxy to a back-end URL chosen by the client. Test-ProxyLogon's condition (autodiscover and localhost rows
/// excluded), and the rows aimed at the server's own back end (`ServerInfo~localhost:444/…`), which the script drops
/// with the scanners' probes; an attacker's autodiscover rows are kept in the same finding so the whole burst is visible.
public struct SSRFRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.ssrf"
    public let title = "ProxyLogon SSRF (CVE-2021-26855)"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.high
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy AnchorMailbox like 'ServerInfo~*/*', not '…/autodiscover*' or the scanners' 'ServerInfo~localhost*/*' (Test-ProxyLogon Get-Cve26855), and 'ServerInfo~localhost:444/*' aimed at the back end."

    public func run(on store: EventStore) -> [Finding] {
        let byClass = ServerInfoAnchor.events(store)
        let hits = ServerInfoAnchor.ssrf(byClass, in: store)
        guard !hits.isEmpty else { return [] }
        let all = hits + (byClass[.autodiscover] ?? [])
        return Grouping.bursts(all, in: store).compactMap { group in
            let core = group.filter { hits.binarySearchContains($0) }
            guard !core.isEmpty else { return nil }
            return Finding(self, store: store, events: group,
                           summary: SSRFSummary.describe(group, store: store, what: "SSRF request"))
        }
    }
}

extension Array where Element == EventID {
    /// Membership test on an ascending array.
    func binarySearchContains(_ x: EventID) -> Bool {
        var a = 0, b = count
        while a < b {
            let m = (a + b) / 2
            if self[m] < x { a = m + 1 } else { b = m }
        }
        return a < count && self[a] == x
    }
}

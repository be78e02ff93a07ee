import ExchangeEvidence

/// `ServerInfo~localhost*/*`: the payload of vulnerability scanners such as Microsoft's own nmap check
/// (`GET /owa/auth/x.js`, cookie `X-AnonResource-Backend=localhost/ecp/default.flt?~3`). Someone checked
/// whether the server is vulnerable; it says nothing about exploitation. Test-ProxyLogon drops these rows.
public struct ScannerProbeRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.scanner-probe"
    public let title = "Vulnerability scanner probe for CVE-2021-26855"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.low
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy AnchorMailbox like 'ServerInfo~localhost*/*' (the nmap http-vuln-cve2021-26855 payload)."

    public func run(on store: EventStore) -> [Finding] {
        guard let probes = ServerInfoAnchor.events(store)[.localhost] else { return [] }
        return Grouping.bursts(probes, in: store, gap: nil).map { group in
            let n = group.count
            let ip = Grouping.distinct(group, .clientIP, in: store).joined(separator: ", ")
            return Finding(self, store: store, events: group,
                           summary: "\(n) scanner probe\(n == 1 ? "" : "s") from \(ip.isEmpty ? "unknown IP" : ip): "
                               + "\(Grouping.tally(group, .urlStem, in: store, limit: 2)) with AnchorMailbox '\(store.value(.anchorMailbox, group[0]))'"
                               + ", status \(Grouping.tally(group, .status, in: store))")
        }
    }
}

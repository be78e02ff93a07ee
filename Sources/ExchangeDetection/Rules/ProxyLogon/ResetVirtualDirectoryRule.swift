import ExchangeEvidence

/// CVE-2021-27065, second half of Test-ProxyLogon's check: an SSRF request in the ECP HttpProxy log that
/// reset a virtual directory (`ServerInfo~*/*Reset*VirtualDirectory#`) and succeeded (status 200). The reset
/// is what writes the OAB configuration, with the web shell planted in its ExternalUrl, to a file.
public struct ResetVirtualDirectoryRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.reset-vdir"
    public let title = "Virtual directory reset through SSRF (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065", "CVE-2021-26855"]
    public let severity = Severity.high
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy AnchorMailbox like 'ServerInfo~*/*Reset*VirtualDirectory#' with HttpStatus 200 (Test-ProxyLogon Get-Cve27065)."

    static let pattern = "serverinfo~*/*reset*virtualdirectory#".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        let ok = store.pool.lookup("200") ?? UInt32.max
        let hits = store.events(where: .anchorMailbox, kinds: [.httpProxy]) {
            ByteMatch.hasPrefix(ServerInfoAnchor.prefix, $0) && ByteMatch.like(Self.pattern, $0)
        }.filter { store.valueID(.status, $0) == ok }
        return Grouping.bursts(hits, in: store).map { group in
            let ip = Grouping.distinct(group, .clientIP, in: store).joined(separator: ", ")
            return Finding(self, store: store, events: group,
                           summary: "\(group.count) successful reset\(group.count == 1 ? "" : "s") from \(ip.isEmpty ? "unknown IP" : ip): "
                               + "AnchorMailbox '\(store.value(.anchorMailbox, group[0]))', status 200")
        }
    }
}

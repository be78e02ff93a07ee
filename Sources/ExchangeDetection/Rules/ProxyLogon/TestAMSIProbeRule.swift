import ExchangeEvidence

/// Microsoft's `Test-AMSI.ps1` (CSS-Exchange) checks that AMSI stops ProxyLogon by sending one harmless request
/// shaped like it: `POST /ecp/Test-<10 random letters>.js` with the cookie
/// `X-BEResource=a]@<server>:444/ecp/proxyLogon.ecp#~1941997017`, which HttpProxy logs as an SSRF row. An
/// administrator ran a check; counted as SSRF it made a HIGH finding and joined the ProxyLogon chain (reviewer).
/// It stays visible, as info: an attacker who copied the probe's name would still be seen here.
public struct TestAMSIProbeRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.test-amsi-probe"
    public let title = "Test-AMSI probe (Microsoft's check that AMSI blocks ProxyLogon)"
    public let cves = ["CVE-2021-26855"]
    public let severity = Severity.info
    public let sources = [SourceKind.httpProxy]
    public let help = "HttpProxy POST /ecp/Test-<10 letters>.js with AnchorMailbox 'ServerInfo~*/ecp/proxyLogon.ecp#' from Windows PowerShell or PowerShell 7 (CSS-Exchange Test-AMSI.ps1)."

    public func run(on store: EventStore) -> [Finding] {
        let probes = ServerInfoAnchor.ssrf(ServerInfoAnchor.events(store)).filter { Self.isProbe($0, in: store) }
        return Grouping.bursts(probes, in: store, gap: nil).map { group in
            let n = group.count
            let ip = Grouping.distinct(group, .clientIP, in: store).joined(separator: ", ")
            let status = Grouping.tally(group, .status, in: store)
            let blocked = group.allSatisfy { store.value(.status, $0) == "400" }
            return Finding(self, store: store, events: group,
                           summary: "\(n) Test-AMSI probe\(n == 1 ? "" : "s") from \(ip.isEmpty ? "unknown IP" : ip): "
                               + "\(Grouping.tally(group, .urlStem, in: store, limit: 2)) with AnchorMailbox '\(store.value(.anchorMailbox, group[0]))'"
                               + ", status \(status)" + (blocked ? " (AMSI blocked it, as the script expects of a protected server)"
                                                                 : " (not the 400 of a server whose AMSI blocks the request)")
                               + "; UA \(Grouping.tally(group, .userAgent, in: store, limit: 1))")
        }
    }

    /// Windows PowerShell's `Invoke-WebRequest` (`… WindowsPowerShell/5.1…`) or PowerShell 7's (`… PowerShell/7.1.3`):
    /// the script runs in either (reviewer: a PowerShell 7 probe became a HIGH SSRF).
    static func isPowerShell(_ ua: String) -> Bool {
        ua.contains("WindowsPowerShell/") || ua.contains(") PowerShell/")
    }

    /// The probe's request as the script sends it: `/ecp/Test-` and ten letters `.js`, from PowerShell, with the
    /// cookie's `a]@<server>:444/ecp/proxyLogon.ecp` target, and not answered 241: a session handed out is the
    /// exploit's step whatever the page was called, and a copied name must not hide it (reviewer).
    static func isProbe(_ id: EventID, in store: EventStore) -> Bool {
        let stem = store.value(.urlStem, id).utf8
        guard stem.count == 23, stem.starts(with: "/ecp/Test-".utf8), stem.suffix(3).elementsEqual(".js".utf8),
              stem.dropFirst(10).prefix(10).allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }),
              store.value(.status, id) != "241", Self.isPowerShell(store.value(.userAgent, id)) else { return false }
        let anchor = store.value(.anchorMailbox, id)
        return anchor.lowercased().hasPrefix("serverinfo~a]@") && ServerInfoAnchor.target(anchor).lowercased() == "/ecp/proxylogon.ecp"
    }
}

import ExchangeEvidence

/// OWASSRF (CVE-2022-41080, used with CVE-2022-41082 by Play ransomware, Dec 2022): PowerShell remoting reached
/// through Outlook Web Access, `POST /owa/<mailbox>/powershell` (e.g. `/owa/mastermailbox%40outlook.com/powershell`),
/// bypassing the URL-rewrite mitigation for ProxyNotShell. OWA never serves a `/powershell` path of its own.
public struct OWASSRFRule: DetectionRule {
    public init() {}
    public let id = "owassrf.powershell"
    public let title = "OWASSRF: PowerShell through /owa/ (CVE-2022-41080)"
    public let cves = ["CVE-2022-41080", "CVE-2022-41082"]
    public let severity = Severity.high
    public let sources = ExplicitLogonRequest.kinds
    public let help = "IIS/HttpProxy: a URL stem under /owa/ that continues to /powershell (/owa/<mailbox>/powershell)."

    static let pattern = "/owa/*/powershell*".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        let hits = store.events(where: .urlStem, kinds: sources) { s in
            var decoded = String(decoding: s, as: UTF8.self)
            decoded = decoded.removingPercentEncoding ?? decoded
            return ByteMatch.like(Self.pattern, decoded)
        }
        return Grouping.bursts(hits, in: store).map { group in
            Finding(self, store: store, events: group, severity: RequestMatch.succeeded(group, store: store) ? .high : .medium,
                    summary: RequestMatch.describe(group, store: store)
                        + { let u = Grouping.distinct(group, .user, in: store).filter { $0 != "-" }; return u.isEmpty ? "" : "; as \(u.prefix(2).joined(separator: ", "))" }())
        }
    }
}

import ExchangeEvidence

/// Requests for the bare `/rpc/` endpoint from outside: FireEye saw attackers probe it for recon (the log
/// line `GET /rpc/ &CorrelationID=<empty>;&RequestId=…` with 200/301/302; Neo23x0
/// `LOG_CVE_2021_27065_Exchange_Forensic_Artefacts_Mar21_2`). Outlook Anywhere uses `/rpc/rpcproxy.dll`.
public struct RPCReconRule: DetectionRule {
    public init() {}
    public let id = "iis.rpc-recon"
    public let title = "Recon of /rpc/ from outside"
    public let cves: [String] = []
    public let severity = Severity.low
    public let sources = [SourceKind.iis]
    public let help = "IIS GET /rpc/ (the bare endpoint, not rpcproxy.dll) from a public client IP, answered 200/301/302."

    public func run(on store: EventStore) -> [Finding] {
        let stems = ["/rpc/".lowerBytes, "/rpc".lowerBytes]
        let hits = RequestMatch.events(store, postOnly: false) { s in stems.contains { $0.count == s.count && ByteMatch.hasPrefix($0, s) } }
            .filter { id in
                let status = store.value(.status, id)
                return ["200", "301", "302"].contains(status) && !InternalAddress.contains(store.value(.clientIP, id))
            }
        return Grouping.bursts(hits, in: store, gap: nil).map { group in
            Finding(self, store: store, events: group, summary: RequestMatch.describe(group, store: store))
        }
    }
}

import ExchangeEvidence

/// A transport agent installed or enabled through the cmdlet log: code that Exchange runs on every message,
/// a persistence and mail-interception technique (MITRE T1505.002; the "Evil"/NetshHelperBeacon.dll record in
/// the shared EVTX fixture comes from an Exchange server, through remote PowerShell in w3wp). Reported even
/// when the cmdlet failed: the attempt is the finding.
public struct TransportAgentRule: DetectionRule {
    public init() {}
    public let id = "exchange.transport-agent"
    public let title = "Transport agent installed or enabled"
    public let cves: [String] = []
    public let severity = Severity.high
    /// Every log recording cmdlets, as `CmdletEvent` reads them.
    public let sources = CmdletEvent.kinds
    /// For the per-event gaps: the event log it reads among them (the Rps and ECP logs have no event ids).
    public let logSources: [SigmaLogSource] = [.exchangeManagementLog]
    public var needs: EvidenceNeed { .cmdletLogs }
    public let help = "Cmdlet logs (MSExchange Management event log, Rps_Cmdlet log, ECP S:CMD=): Install-TransportAgent or Enable-TransportAgent (succeeded or failed)."

    public func run(on store: EventStore) -> [Finding] {
        let hits = CmdletEvent.events(store, mentioning: "transportagent", cmdlets: ["install-transportagent", "enable-transportagent"])
        return Grouping.bursts(hits.map(\.id), in: store, by: nil).map { group in
            let parts = group.compactMap { CmdletEvent(store, $0) }
            let first = parts[0]
            let more = parts.count > 1 ? "; then " + parts.dropFirst().map { "\($0.cmdlet) \($0.parameters)\($0.failed ? " (failed)" : "")" }.joined(separator: ", ") : ""
            return Finding(self, store: store, events: group,
                           summary: "\(first.cmdlet) \(first.parameters)\(first.context)" + more)
        }
    }
}

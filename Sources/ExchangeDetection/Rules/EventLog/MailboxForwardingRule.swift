import ExchangeEvidence

/// Mail forwarding set on a mailbox through the cmdlet log (`Set-Mailbox -ForwardingSmtpAddress` or
/// `-ForwardingAddress`): a quiet way to keep reading a victim's mail (MITRE T1114.003). The WEC-forwarded
/// record in the shared EVTX fixtures sets `smtp:test2@example.com` through remote PowerShell.
public struct MailboxForwardingRule: DetectionRule {
    public init() {}
    public let id = "exchange.mailbox-forwarding"
    public let title = "Mailbox forwarding set"
    public let cves: [String] = []
    public let severity = Severity.medium
    /// Every log recording cmdlets, as `CmdletEvent` reads them.
    public let sources = CmdletEvent.kinds
    /// For the per-event gaps: the event log it reads among them (the Rps and ECP logs have no event ids).
    public let logSources: [SigmaLogSource] = [.exchangeManagementLog]
    public var needs: EvidenceNeed { .cmdletLogs }
    public let help = "Cmdlet logs (MSExchange Management event log, Rps_Cmdlet log, ECP S:CMD=): Set-Mailbox with a non-empty -ForwardingSmtpAddress or -ForwardingAddress."

    public func run(on store: EventStore) -> [Finding] {
        CmdletEvent.events(store, mentioning: "forwarding", cmdlets: ["set-mailbox"]).compactMap { c in
            guard let target = Self.forwarding(c.parameters) else { return nil }
            return Finding(self, store: store, events: [c.id],
                           summary: "\(c.cmdlet) \(c.parameters)\(c.context): mail forwarded to \(target)")
        }
    }

    /// The value of `-ForwardingSmtpAddress` or `-ForwardingAddress`, unless it clears forwarding.
    static func forwarding(_ parameters: String) -> String? {
        for name in ["-forwardingsmtpaddress", "-forwardingaddress"] {
            guard let r = parameters.lowercased().range(of: name + " ") else { continue }
            let offset = parameters.lowercased().distance(from: parameters.lowercased().startIndex, to: r.upperBound)
            var rest = Substring(parameters.dropFirst(offset))
            let quoted = rest.first == "\""
            if quoted { rest = rest.dropFirst() }
            let value = String(rest.prefix { quoted ? $0 != "\"" : $0 != " " })
            if !value.isEmpty, !["$null", "null", "\"\""].contains(value.lowercased()) { return value }
        }
        return nil
    }
}

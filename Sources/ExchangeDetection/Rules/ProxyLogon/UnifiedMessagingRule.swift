import ExchangeEvidence

/// CVE-2021-26857: insecure deserialization in the Unified Messaging service. Application log errors
/// (level 2) from provider `MSExchange Unified Messaging` whose text holds `System.InvalidCastException`
/// (Test-ProxyLogon Get-Cve26857; no event id is filtered). EVTX records carry no rendered message, so
/// every EventData value counts as the message.
public struct UnifiedMessagingRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.um-deserialization"
    public let title = "Unified Messaging deserialization error (CVE-2021-26857)"
    public let cves = ["CVE-2021-26857"]
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.applicationLog]
    public let help = "Application log, Provider 'MSExchange Unified Messaging', Level 2 (Error), message containing System.InvalidCastException (Test-ProxyLogon Get-Cve26857)."

    public func run(on store: EventStore) -> [Finding] {
        store.events(containing: "system.invalidcastexception", kinds: sources).compactMap { id in
            let f = EventFields(store, id)
            guard f["Provider"]?.lowercased() == "msexchange unified messaging", f.isError,
                  f["Channel"].map({ $0.lowercased() == "application" }) ?? true
            else { return nil }
            let message = f.values.first { $0.contains("System.InvalidCastException") } ?? ""
            return Finding(self, store: store, events: [id],
                           summary: "EventID \(f["EventID"].flatMap { $0.isEmpty ? nil : $0 } ?? "?") from \(f["Provider"]!) level Error: \(message.oneLine(200).quotedForSummary)")
        }
    }
}

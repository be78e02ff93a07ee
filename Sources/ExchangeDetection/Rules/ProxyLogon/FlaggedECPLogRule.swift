import ExchangeEvidence

/// CVE-2021-27065 as Test-ProxyLogon reports it in `SERVER-Cve-2021-27065.log`: the paths of ECP Server logs in
/// which a line matched `Set-.+VirtualDirectory…<tag>…</tag>…VirtualDirectory` (its 2021-03-18 check). The script
/// keeps the path, not the line, so this is second-hand evidence; its pattern is the one the direct rule
/// (`proxylogon.ecp-set-vdir`) refines. Where that flagged log is loaded and the direct rule found its line, the
/// direct finding tells it and this one is not repeated.
public struct FlaggedECPLogRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.flagged-ecp-log"
    public let title = "Test-ProxyLogon flagged an ECP log: script in a virtual directory URL (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065"]
    public let severity = Severity.high
    public let sources = [SourceKind.flaggedLogFile]
    /// None: a run's output is no log to collect; whether ECP logs were there to read is the direct rule's need.
    public var coverageNeeds: [(id: String, need: EvidenceNeed)] { [] }
    public let help = "Test-ProxyLogon's SERVER-Cve-2021-27065.log: ECP Server logs where its Get-Cve27065 pattern (Set-*VirtualDirectory with an HTML tag) matched; not repeated where proxylogon.ecp-set-vdir read the line."
    public var dependsOn: [String] { ["proxylogon.ecp-set-vdir"] }

    public func run(on store: EventStore) -> [Finding] {
        run(on: store, prior: ECPSetVirtualDirectoryRule().run(on: store))
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] {
        FlaggedLogFiles.listed(in: store, suffix: "-cve-2021-27065.log").compactMap { entry in
            let log = FlaggedLogFiles.loaded(entry, kinds: [.ecpServer, .ecpActivity, .exchangeLog], in: store)
            if let log, prior.contains(where: { FlaggedLogFiles.cites($0, log, in: store) }) { return nil }
            let next = log.map { "the log is loaded (\(store.citation(of: $0))) but proxylogon.ecp-set-vdir found no such line in it: read it" }
                ?? "the log itself is not loaded — load it to see the request"
            return Finding(self, store: store, events: [entry.event],
                           summary: "Test-ProxyLogon flagged ECP log file \(entry.path): a Set-…VirtualDirectory with a script tag "
                               + "was found there (second-hand: the script keeps the file's path, not the line); \(next)")
        }
    }
}

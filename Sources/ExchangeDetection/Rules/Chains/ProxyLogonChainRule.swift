import ExchangeEvidence

/// The ProxyLogon attack told as one story: on one server, an SSRF hit followed within a day by a
/// virtual-directory change or a file write is a successful compromise, whatever each step scored alone. The
/// finding names every step it found (including later web-shell use and post-exploitation) and the client IPs
/// behind the web requests.
public struct ProxyLogonChainRule: DetectionRule {
    public init() {}
    public let id = "chain.proxylogon"
    public let title = "ProxyLogon chain: SSRF then a virtual-directory change, file write or UM deserialization"
    public let cves = ["CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"]
    public let severity = Severity.critical
    public let sources = [SourceKind.httpProxy, .iis, .ecpServer, .oabGenerator, SourceKind.eventLog, SourceKind.fileListing, SourceKind.webFile]
    /// Needs the SSRF that starts every chain is only in the HttpProxy logs.
    public var needs: EvidenceNeed { .httpProxy }
    public let help = "On one server: an SSRF finding followed within 24 h by a virtual-directory change or a file-write finding; later web-shell use and post-exploitation findings are named as further steps."

    static let story = ChainStory(steps: [
        .init(label: "SSRF", rules: ["proxylogon.ssrf", "proxylogon.backend-cookie", "iis.ecp-static-post", "iis.owa-current-post"], starts: true, web: true),
        .init(label: "virtual-directory change", rules: ["proxylogon.ecp-set-vdir", "proxylogon.reset-vdir", "iis.ddi-reset-vdir", "exchange.cmdlet-vdir-script"],
              confirms: true, web: true),
        .init(label: "file write", rules: ["proxylogon.oab-download", "webshell.file", "webshell.content", "webshell.write-event"], confirms: true),
        .init(label: "UM deserialization", rules: ["proxylogon.um-deserialization"], confirms: true),
        .init(label: "web-shell use", rules: ["iis.webshell-access", "iis.webshell-command"], web: true, least: .high),
        .init(label: "post-exploitation", rules: ChainStory.postExploitation),
    ])
    public var dependsOn: [String] { Self.story.ruleIDs }

    public func run(on store: EventStore) -> [Finding] {
        let prior = RuleRegistry.standard.filter { dependsOn.contains($0.id) }.flatMap { $0.run(on: store) }
        return run(on: store, prior: prior)
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] { Self.story.findings(of: self, prior: prior, store: store) }
}

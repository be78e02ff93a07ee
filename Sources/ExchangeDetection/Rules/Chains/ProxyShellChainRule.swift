import ExchangeEvidence

/// ProxyShell told as one story: autodiscover.json SSRF (CVE-2021-34473) or the PowerShell back end reached with a
/// forged X-Rps-CAT (CVE-2021-34523), followed within a day by the mailbox export into a web folder or the
/// `.aspx` it writes (CVE-2021-31207); then the shell's use and post-exploitation.
public struct ProxyShellChainRule: DetectionRule {
    public init() {}
    public let id = "chain.proxyshell"
    public let title = "ProxyShell chain: SSRF, PowerShell, mailbox export as web shell"
    public let cves = ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"]
    public let severity = Severity.critical
    public let sources = [SourceKind.httpProxy, .iis, SourceKind.eventLog, SourceKind.fileListing, SourceKind.webFile]
    /// The requests that start the story are only in the web logs.
    public var needs: EvidenceNeed { .webLogs }
    public let help = "On one server: a proxyshell.ssrf or proxyshell.powershell finding followed within 24 h by a mailbox export into a web folder or a web-shell write; later web-shell use and post-exploitation are named as further steps."

    static let story = ChainStory(steps: [
        .init(label: "autodiscover SSRF", rules: ["proxyshell.ssrf"], starts: true, web: true),
        .init(label: "PowerShell back end", rules: ["proxyshell.powershell"], starts: true, web: true),
        .init(label: "mailbox export to a web folder", rules: ["exchange.mailbox-export-web"], confirms: true),
        .init(label: "web shell written", rules: ["webshell.mailbox-export-file", "webshell.file", "webshell.content", "webshell.write-event"], confirms: true),
        .init(label: "web-shell use", rules: ["iis.webshell-access", "iis.webshell-command"], web: true, least: .high),
        .init(label: "post-exploitation", rules: ChainStory.postExploitation),
    ])
    public var dependsOn: [String] { Self.story.ruleIDs }

    public func run(on store: EventStore) -> [Finding] {
        run(on: store, prior: RuleRegistry.standard.filter { dependsOn.contains($0.id) }.flatMap { $0.run(on: store) })
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] { Self.story.findings(of: self, prior: prior, store: store) }
}

/// ProxyNotShell and OWASSRF told as one story: PowerShell reached through autodiscover.json (CVE-2022-41040) or
/// `/owa/<mailbox>/powershell` (CVE-2022-41080), followed within a day by code running (the web server starting a
/// shell: CVE-2022-41082) or a web-shell write; then the shell's use and post-exploitation.
public struct ProxyNotShellChainRule: DetectionRule {
    public init() {}
    public let id = "chain.proxynotshell"
    public let title = "ProxyNotShell/OWASSRF chain: SSRF to PowerShell, then code execution"
    public let cves = ["CVE-2022-41040", "CVE-2022-41080", "CVE-2022-41082"]
    public let severity = Severity.critical
    public let sources = [SourceKind.httpProxy, .iis, SourceKind.eventLog, SourceKind.fileListing, SourceKind.webFile]
    /// The requests that start the story are only in the web logs.
    public var needs: EvidenceNeed { .webLogs }
    public let help = "On one server: a proxynotshell.ssrf or owassrf.powershell finding (or a proxyshell.ssrf one that cannot be told from ProxyNotShell) followed within 24 h by the web server starting a shell or a web-shell write; later use and post-exploitation are named as further steps."

    static let story = ChainStory(steps: [
        .init(label: "SSRF to PowerShell", rules: ["proxynotshell.ssrf", "owassrf.powershell"], starts: true, web: true),
        // A request whose line cannot tell ProxyShell from ProxyNotShell (no X-Rps-CAT, no user) starts this story too
        // when code runs after it: otherwise neither chain told it (chain.proxyshell waits for a mailbox export).
        .init(label: "SSRF to PowerShell (ProxyShell or ProxyNotShell)", rules: ["proxyshell.ssrf"], starts: true, web: true,
              naming: "CVE-2022-41040"),
        .init(label: "code execution", rules: ["process.webserver-shell"], confirms: true),
        .init(label: "web shell written", rules: ["webshell.file", "webshell.content", "webshell.write-event"], confirms: true),
        .init(label: "web-shell use", rules: ["iis.webshell-access", "iis.webshell-command"], web: true, least: .high),
        .init(label: "post-exploitation", rules: ChainStory.postExploitation.filter { $0 != "process.webserver-shell" }),
    ])
    public var dependsOn: [String] { Self.story.ruleIDs }

    public func run(on store: EventStore) -> [Finding] {
        run(on: store, prior: RuleRegistry.standard.filter { dependsOn.contains($0.id) }.flatMap { $0.run(on: store) })
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] { Self.story.findings(of: self, prior: prior, store: store) }
}

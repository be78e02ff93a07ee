import ExchangeEvidence

/// The attack told as one story: on one server, an SSRF hit followed within a day by a virtual-directory
/// change or a file write is a successful ProxyLogon compromise, whatever each step scored alone. The
/// finding names every step it found (including later web-shell use and post-exploitation) and the
/// client IPs behind the web requests.
public struct ProxyLogonChainRule: DetectionRule {
    public init() {}
    public let id = "chain.proxylogon"
    public let title = "ProxyLogon chain: SSRF then file write"
    public let cves = ["CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"]
    public let severity = Severity.critical
    public let sources = [SourceKind.httpProxy, .iis, .ecpServer, .oabGenerator, SourceKind.eventLog, SourceKind.fileListing, SourceKind.webFile]
    /// Needs the SSRF that starts every chain is only in the HttpProxy logs.
    public var needs: EvidenceNeed { .httpProxy }
    public let help = "On one server: an SSRF finding followed within 24 h by a virtual-directory change or a file-write finding; later web-shell use and post-exploitation findings are named as further steps."

    /// Rule id → the step it stands for in the story.
    static let steps: [String: Step] = [
        "proxylogon.ssrf": .ssrf, "proxylogon.backend-cookie": .ssrf, "iis.ecp-static-post": .ssrf, "iis.owa-current-post": .ssrf,
        "proxylogon.ecp-set-vdir": .vdir, "proxylogon.reset-vdir": .vdir, "iis.ddi-reset-vdir": .vdir, "exchange.cmdlet-vdir-script": .vdir,
        "proxylogon.oab-download": .write, "webshell.file": .write, "webshell.content": .write, "webshell.write-event": .write, "proxylogon.um-deserialization": .umExploit,
        "iis.webshell-access": .use, "process.webserver-shell": .post, "process.lsass-dump": .post, "files.lsass-dump": .post,
        "process.7zip-programdata": .post, "process.exchange-snapin": .post, "files.programdata-archive": .post,
        "exchange.transport-agent": .post, "exchange.mailbox-forwarding": .post,
    ]
    public var dependsOn: [String] { Self.steps.keys.sorted() }

    enum Step: Int, Comparable {
        case ssrf, vdir, write, umExploit, use, post
        static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }
        var label: String {
            switch self {
            case .ssrf: "SSRF"
            case .vdir: "virtual-directory change"
            case .write: "file write"
            case .umExploit: "UM deserialization"
            case .use: "web-shell use"
            case .post: "post-exploitation"
            }
        }
    }

    static let window: Int64 = 86_400_000

    public func run(on store: EventStore) -> [Finding] {
        let prior = RuleRegistry.standard.filter { dependsOn.contains($0.id) }.flatMap { $0.run(on: store) }
        return run(on: store, prior: prior)
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] {
        // Lone SSRF attempts (medium) neither start a chain nor name an attacker; other steps count from medium.
        let relevant = prior.filter { f in
            guard let step = Self.steps[f.rule], f.time != Timestamp.unknown else { return false }
            return f.severity >= (step == .ssrf ? .high : .medium)
        }
        var out: [Finding] = []
        for (server, findings) in Dictionary(grouping: relevant, by: \.server).sorted(by: { $0.key < $1.key }) {
            let ordered = findings.sorted { $0.time < $1.time }
            let ssrf = ordered.filter { Self.steps[$0.rule] == .ssrf }
            // The first SSRF hit that a vdir change or file write follows within the window.
            guard let start = ssrf.first(where: { s in
                ordered.contains { f in
                    let step = Self.steps[f.rule]!
                    return (step == .vdir || step == .write || step == .umExploit) && f.time >= s.time && f.time - s.time <= Self.window
                }
            }) else { continue }
            let story = ordered.filter { $0.time >= start.time }
            out.append(chain(server: server, story: story, store: store))
        }
        return out
    }

    func chain(server: String, story: [Finding], store: EventStore) -> Finding {
        // One part per step with the time it was first seen and the rules that saw it, in time order
        // (steps seen at the same moment keep the attack's order).
        var parts: [(time: Int64, step: Step, text: String)] = []
        for step in [Step.ssrf, .vdir, .write, .umExploit, .use, .post] {
            let seen = story.filter { Self.steps[$0.rule] == step }
            guard let first = seen.min(by: { $0.time < $1.time }) else { continue }
            var rules: [String] = []
            for f in seen where !rules.contains(f.rule) { rules.append(f.rule) }
            parts.append((first.time, step, "\(step.label) \(Timestamp.short(first.time)) (\(rules.joined(separator: ", ")))"))
        }
        parts.sort { $0.time != $1.time ? $0.time < $1.time : $0.step < $1.step }
        let webEvents = story.filter { [.ssrf, .vdir, .use].contains(Self.steps[$0.rule]!) }.flatMap(\.events)
        let ips = Grouping.distinct(webEvents, .clientIP, in: store).filter { !RequestMatch.isPrivate($0) }
        let events = store.sortedByTime(Array(Set(story.flatMap(\.events))))
        let first = story[0]
        // The CVEs of the steps actually seen, in the rule's order.
        let seen = Set(story.flatMap(\.cves))
        return Finding(rule: id, title: title, cves: cves.filter(seen.contains), severity: .critical, server: server, time: first.time,
                       events: events, file: first.file, line: first.line,
                       summary: parts.map(\.text).joined(separator: " → ") + "; attacker IPs: " + (ips.isEmpty ? "none recorded" : ips.joined(separator: ", ")))
    }
}

import ExchangeEvidence

/// The IIS worker (`w3wp.exe`) or the Unified Messaging service (`UMWorkerProcess.exe`, `UMService.exe`)
/// starting a shell or recon tool: the web shell at work, or CVE-2021-26857 exploited. Children list from
/// Sigma `proc_creation_win_webshell_susp_process_spawned_from_webserver`; UM parents from Sigma
/// `proc_creation_win_exploit_cve_2021_26857_msexchange` and Splunk `w3wp_spawning_shell`. Children the
/// shell itself started are attached to the finding so it reads as one session.
public struct WebServerChildProcessRule: DetectionRule {
    public init() {}
    public let id = "process.webserver-shell"
    public let title = "Web server or UM process started a shell"
    public let cves: [String] = []
    /// Critical: a shell under the web server is code running on the server (the report's "compromised").
    public let severity = Severity.critical
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.processCreation]
    public let help = "Sysmon 1 / Security 4688 where the parent is w3wp.exe, UMWorkerProcess.exe or UMService.exe and the child is cmd, powershell or a recon tool."

    static let parents: Set<String> = ["w3wp.exe", "umworkerprocess.exe", "umservice.exe"]
    static let children: Set<String> = [
        "arp.exe", "at.exe", "bash.exe", "bitsadmin.exe", "certutil.exe", "cmd.exe", "cscript.exe", "dsget.exe",
        "dsquery.exe", "hostname.exe", "ipconfig.exe", "nbtstat.exe", "net.exe", "net1.exe", "netdom.exe",
        "netsh.exe", "nltest.exe", "ntdsutil.exe", "powershell.exe", "powershell_ise.exe", "pwsh.exe",
        "procdump.exe", "procdump64.exe", "qprocess.exe", "query.exe", "quser.exe", "qwinsta.exe", "reg.exe",
        "rundll32.exe", "sc.exe", "systeminfo.exe", "tasklist.exe", "whoami.exe", "wmic.exe", "wscript.exe",
        "wusa.exe",
    ]

    /// At most this many descendants are cited per finding (the summary names four).
    static let descendantLimit = 64

    public func run(on store: EventStore) -> [Finding] {
        let candidates = Set(["w3wp.exe", "umworkerprocess.exe", "umservice.exe"].flatMap {
            store.events(containing: $0, kinds: sources)
        })
        guard !candidates.isEmpty else { return [] }
        return findings(candidates, store: store, tree: ProcessTree(store))
    }

    /// The findings among `candidates`, walking `tree` (whose `steps` then tell the work done).
    func findings(_ candidates: Set<EventID>, store: EventStore, tree: ProcessTree) -> [Finding] {
        var hits: [EventID: ProcessEvent] = [:]
        var servers: [ProcessEvent] = []
        for id in candidates {
            // The tree holds the starts that carry process ids (it joins children by them); a start without either id
            // (a SIEM export that kept only some fields) still names its parent by path (reviewer: w3wp → cmd gave
            // no finding when both ids were dropped).
            guard let p = tree.event(id) ?? ProcessEvent(store, id) else { continue }
            if Self.parents.contains(p.parentName), Self.children.contains(p.imageName) {
                hits[id] = p
            } else if Self.parents.contains(p.imageName) {
                servers.append(p)
            }
        }
        // Security 4688 events often lack ParentProcessName: their creator is only a process id, so the web
        // server's own start event names the children (the latest start with that id, no later than the child).
        for (child, p) in tree.attribute(toStartsOf: servers) where child.parentImage.isEmpty && Self.children.contains(child.imageName) {
            var c = child
            c.parentImage = p.image
            c.parentCommandLine = p.commandLine
            hits[c.id] = c
        }
        return hits.keys.sorted().map { id in
            let p = hits[id]!
            let descendants = tree.descendants(of: p, levels: 3, limit: Self.descendantLimit)
            var summary = "\(p.parentName)\(p.appPool.map { " (\($0))" } ?? "") started \(p.imageName): '\(p.commandLine)'"
            if !p.user.isEmpty { summary += " as \(p.user)" }
            if !descendants.isEmpty {
                summary += "; then " + descendants.prefix(4).map { "\($0.imageName) '\($0.commandLine)'" }.joined(separator: ", ")
            }
            return Finding(self, store: store, events: [id] + descendants.map(\.id),
                           title: p.parentName.hasPrefix("um") ? "UM service started a shell (CVE-2021-26857)" : title,
                           summary: summary)
        }
    }
}

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
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
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

    public func run(on store: EventStore) -> [Finding] {
        let candidates = Set(["w3wp.exe", "umworkerprocess.exe", "umservice.exe"].flatMap {
            store.events(containing: $0, kinds: sources)
        })
        var hits: [EventID: ProcessEvent] = [:]
        for id in candidates {
            guard let p = ProcessEvent(store, id) else { continue }
            if Self.parents.contains(p.parentName), Self.children.contains(p.imageName) {
                hits[id] = p
            } else if Self.parents.contains(p.imageName) {
                // Security 4688 events often lack ParentProcessName: their creator is only a process id, so
                // the web server's own start event names the children.
                for var c in Self.children(of: p, store: store) where c.parentImage.isEmpty && Self.children.contains(c.imageName) {
                    c.parentImage = p.image
                    c.parentCommandLine = p.commandLine
                    hits[c.id] = c
                }
            }
        }
        return hits.keys.sorted().map { id in
            let p = hits[id]!
            let descendants = Self.descendants(of: p, store: store)
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

    /// Processes `p` started: same log file, creator id equal to its id, started no earlier (ids are reused).
    static func children(of p: ProcessEvent, store: EventStore) -> [ProcessEvent] {
        guard !p.processID.isEmpty else { return [] }
        let file = store.fileIndex[p.id]
        return store.events(containing: "ProcessId=\(p.processID)\t", kinds: [SourceKind.eventLog]).compactMap { id in
            guard id != p.id, store.fileIndex[id] == file, store.time[id] >= store.time[p.id],
                  let c = ProcessEvent(store, id), c.parentProcessID == p.processID
            else { return nil }
            return c
        }
    }

    /// Processes started (transitively, up to three levels) by `p` in the same log file.
    static func descendants(of p: ProcessEvent, store: EventStore) -> [ProcessEvent] {
        var out: [ProcessEvent] = []
        var frontier = [p]
        for _ in 0..<3 {
            let next = frontier.flatMap { children(of: $0, store: store) }.filter { c in !out.contains { $0.id == c.id } }
            out += next
            frontier = next
            if next.isEmpty { break }
        }
        return out.sorted { store.time[$0.id] < store.time[$1.id] }
    }
}

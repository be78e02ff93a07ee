import ExchangeEvidence

/// LSASS memory dumped with `comsvcs.dll MiniDump` or ProcDump (`-ma lsass`), as HAFNIUM did after planting
/// web shells (Volexity; MSTIC YARA `lsass_process_memory_dump`; Sigma `proc_creation_win_sysinternals_procdump_lsass`).
/// Related events in the same burst are attached: Sysmon 10 / Security 4656/4663 opening lsass.exe from the
/// dumping process, and Sysmon 11 creating the `.dmp`.
public struct LsassDumpProcessRule: DetectionRule {
    public init() {}
    public let id = "process.lsass-dump"
    public let title = "LSASS memory dumped"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
    public let help = "Sysmon 1 / Security 4688 command lines with comsvcs.dll + MiniDump, or procdump with -ma/lsass; plus lsass.exe opened by rundll32/procdump (Sysmon 10, Security 4656/4663) and the .dmp written (Sysmon 11)."

    static let dumpers: Set<String> = ["rundll32.exe", "procdump.exe", "procdump64.exe"]

    public func run(on store: EventStore) -> [Finding] {
        let candidates = Set(store.events(containing: "minidump", kinds: sources) + store.events(containing: "lsass", kinds: sources)
                             + store.events(containing: ".dmp", kinds: sources))
        var commands: [EventID] = []
        var related: [EventID] = []
        for id in candidates.sorted() {
            let f = EventFields(store, id)
            let eid = f["EventID"] ?? ""
            if eid == "1" || eid == "4688" {
                let cmd = (f["CommandLine"] ?? "").lowercased()
                if (cmd.contains("comsvcs") && cmd.contains("minidump")) || (cmd.contains("procdump") && (cmd.contains("lsass") || cmd.contains(" -ma "))) {
                    commands.append(id)
                }
            } else if eid == "10", ProcessEvent.baseName(f["TargetImage"] ?? "") == "lsass.exe",
                      Self.dumpers.contains(ProcessEvent.baseName(f["SourceImage"] ?? "")) {
                related.append(id)
            } else if eid == "4656" || eid == "4663", ProcessEvent.baseName(f["ObjectName"] ?? "") == "lsass.exe",
                      Self.dumpers.contains(ProcessEvent.baseName(f["ProcessName"] ?? "")) {
                related.append(id)
            } else if eid == "11", (f["TargetFilename"] ?? "").lowercased().hasSuffix(".dmp"),
                      Self.dumpers.contains(ProcessEvent.baseName(f["Image"] ?? "")) {
                related.append(id)
            }
        }
        guard !commands.isEmpty else { return [] }
        return Grouping.bursts(commands + related, in: store, by: nil).compactMap { group in
            guard let first = group.first(where: commands.binarySearchContains), let p = ProcessEvent(store, first) else { return nil }
            return Finding(self, store: store, events: group,
                           summary: "\(p.imageName) '\(p.commandLine)'\(p.user.isEmpty ? "" : " as \(p.user)")"
                               + (group.count > 1 ? " (+\(group.count - 1) related event\(group.count == 2 ? "" : "s"): process starts, lsass.exe access, dump file)" : ""))
        }
    }
}

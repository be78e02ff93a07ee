import ExchangeEvidence

/// LSASS memory dumped with `comsvcs.dll MiniDump` (or its ordinal `#24`) or ProcDump, as HAFNIUM did after planting web shells
/// (Volexity; MSTIC YARA `lsass_process_memory_dump`; Sigma `proc_creation_win_sysinternals_procdump_lsass`).
///
/// A dump command counts only when its target is LSASS: named in the command line (`lsass`, `(Get-Process
/// lsass).Id`), or a PID that the host's events identify as lsass.exe — the dumping process opening lsass.exe
/// (Sysmon 10, Security 4656/4663), or the PID's own process events. A MiniDump of another process (a real
/// recording dumps notepad.exe) is not one; a target the events do not identify is reported at medium.
/// Without any command line, Sysmon 10 (lsass.exe opened with memory-read rights by a process that is not a
/// known system reader) and Sysmon 11 (a `.dmp` written by rundll32 or ProcDump) are enough on their own.
/// Each dump — one process tree — is its own finding, however close in time to another.
public struct LsassDumpProcessRule: DetectionRule {
    public init() {}
    public let id = "process.lsass-dump"
    public let title = "LSASS memory dumped"
    public let cves: [String] = []
    /// Critical when the dump is of LSASS: credentials were taken, the server is compromised; a dump whose
    /// target is not identified stays medium.
    public let severity = Severity.critical
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.processCreation, .processAccess, .fileEvent]
    public let help = "Sysmon 1 / Security 4688 comsvcs.dll MiniDump (or #24) or procdump whose target is lsass (by name or PID); Sysmon 10 lsass.exe opened with read rights (0x1010, 0x1410, 0x1FFFFF…) by a non-system process; Sysmon 11 .dmp written by rundll32/procdump."

    static let dumpers: Set<String> = ["rundll32.exe", "procdump.exe", "procdump64.exe"]
    /// Processes that read LSASS memory as part of Windows or antivirus work.
    static let systemReaders: Set<String> = ["msmpeng.exe", "csrss.exe", "wininit.exe", "services.exe", "svchost.exe", "lsm.exe",
                                             "wmiprvse.exe", "mrt.exe", "sense.exe", "mssense.exe", "vmtoolsd.exe", "taskmgr.exe", "lsaiso.exe"]
    /// PROCESS_VM_READ: without it no dump can be read.
    static let vmRead = 0x0010

    /// One event with the process facts the rule joins on.
    struct Record {
        let id: EventID
        let eid: String
        let server: String
        let pid: Int?
        let parentPid: Int?
        let image: String
        let commandLine: String
        let targetPid: Int?
        let targetImage: String
        let access: Int?
        let file: String
        /// Security 5145 (a file of a share accessed): the file, relative to the share, and who read it.
        let shareFile: String
        let clientIP: String

        init(_ store: EventStore, _ id: EventID) {
            let f = EventFields(store, id)
            self.id = id
            eid = f["EventID"] ?? ""
            server = store.server(of: id)
            switch eid {
            case "4688":
                pid = Record.number(f["NewProcessId"]); parentPid = Record.number(f["ProcessId"]); image = f["NewProcessName"] ?? ""
            case "4656", "4663":
                pid = Record.number(f["ProcessId"]); parentPid = nil; image = f["ProcessName"] ?? ""
            case "10":
                pid = Record.number(f["SourceProcessId"]); parentPid = nil; image = f["SourceImage"] ?? ""
            default:
                pid = Record.number(f["ProcessId"]); parentPid = Record.number(f["ParentProcessId"]); image = f["Image"] ?? ""
            }
            commandLine = f["CommandLine"] ?? ""
            targetPid = eid == "10" ? Record.number(f["TargetProcessId"]) : nil
            targetImage = eid == "10" ? f["TargetImage"] ?? "" : (eid == "4656" || eid == "4663") ? f["ObjectName"] ?? "" : ""
            access = Record.number(f["GrantedAccess"] ?? f["AccessMask"])
            file = f["TargetFilename"] ?? ""
            shareFile = eid == "5145" ? f["RelativeTargetName"] ?? "" : ""
            clientIP = eid == "5145" ? f["IpAddress"] ?? "" : ""
        }

        var isStart: Bool { eid == "1" || eid == "4688" }
        var imageName: String { ProcessEvent.baseName(image) }
        var opensLsass: Bool { (eid == "10" || eid == "4656" || eid == "4663") && ProcessEvent.baseName(targetImage) == "lsass.exe" }
        var writesDump: Bool { eid == "11" && file.lowercased().hasSuffix(".dmp") }

        /// `512`, `0xff8`, `0x0000000000000ff8`.
        static func number(_ s: String?) -> Int? {
            guard let s = s?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
            if s.lowercased().hasPrefix("0x") { return Int(s.dropFirst(2), radix: 16) }
            return Int(s)
        }
    }

    /// What a dump command aims at.
    enum Target: Equatable { case lsass, pid(Int), named(String), unknown }

    /// The target of a dump command: the argument after `MiniDump` (comsvcs) or after ProcDump's flags, read up to
    /// the dump file's name — so `MiniDump 624 C:\\windows\\temp\\lsass.dmp` is PID 624, not lsass by its file name.
    static func target(of commandLine: String) -> Target? {
        let cmd = commandLine.lowercased()
        let tokens = cmd.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\"" || $0 == ";" }).map(String.init)
        let export = cmd.contains("comsvcs") ? tokens.firstIndex(where: isMiniDumpExport) : nil
        let procdump = cmd.contains("procdump")
        guard export != nil || procdump else { return nil }
        var args: ArraySlice<String>
        if let i = export {
            args = tokens[(i + 1)...]
        } else if let i = tokens.firstIndex(where: { $0.hasSuffix("procdump.exe") || $0.hasSuffix("procdump64.exe") || $0.hasSuffix("procdump") }) {
            guard tokens.contains(where: { ["-ma", "/ma", "-mm", "/mm", "-mp", "/mp"].contains($0) }) || cmd.contains("lsass") else { return nil }
            args = tokens[(i + 1)...].drop { $0.hasPrefix("-") || $0.hasPrefix("/") }
        } else {
            return nil
        }
        // Up to the dump file (`….dmp`): what names the process.
        args = args.prefix { !$0.hasSuffix(".dmp") && !$0.hasSuffix(".dmp'") }
        if args.contains(where: { $0.contains("lsass") }) { return .lsass }
        guard let first = args.first else { return .unknown }
        if let pid = Int(first) { return .pid(pid) }
        if first.hasSuffix(".exe") { return .named(first) }
        return .unknown
    }

    /// comsvcs.dll's dump export as rundll32 is given it: by name (`MiniDump`, `MiniDumpW`) or by ordinal — `#24`,
    /// and the forms that hide it from string rules (`#+0000^24`, `#-4294967272`, which wraps to 24 in 32 bits).
    static func isMiniDumpExport(_ token: String) -> Bool {
        if token == "minidump" || token == "minidumpw" { return true }
        guard token.hasPrefix("#") else { return false }
        let digits = token.dropFirst().filter { $0 != "^" && $0 != "+" }
        guard let n = Int64(digits) else { return false }
        return n & 0xFFFF_FFFF == 24
    }

    /// Security 5145 events on `server` within a day after `start` whose share-relative file is `dumpPath`
    /// (`Windows\Temp\x.dmp` for `C:\windows\temp\x.dmp` on `C$`): the dump copied off the server.
    static func fetches(of dumpPath: String, in records: [Record], server: String, after start: Int64, store: EventStore) -> [Record] {
        let name = dumpPath.lowercased().replacingOccurrences(of: "/", with: "\\").split(separator: "\\").last.map(String.init) ?? ""
        guard !name.isEmpty else { return [] }
        return records.filter { r in
            r.eid == "5145" && r.server == server && store.time[r.id] >= start && store.time[r.id] - start <= 86_400_000
                && r.shareFile.lowercased().replacingOccurrences(of: "/", with: "\\").split(separator: "\\").last.map(String.init) == name
        }
    }

    /// `; the dump read over SMB from 10.23.123.11 (3 Security 5145 events)`, or "".
    static func fetchedSummary(_ fetched: [Record]) -> String {
        guard !fetched.isEmpty else { return "" }
        var ips: [String] = []
        for r in fetched where !r.clientIP.isEmpty && !ips.contains(r.clientIP) { ips.append(r.clientIP) }
        return "; the dump read over SMB" + (ips.isEmpty ? "" : " from " + ips.joined(separator: ", "))
            + " (\(fetched.count) Security 5145 event\(fetched.count == 1 ? "" : "s"))"
    }

    /// The `.dmp` a dump command writes, as written in it.
    static func dumpFile(of commandLine: String) -> String? {
        commandLine.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\"" || $0 == ";" })
            .first { $0.lowercased().hasSuffix(".dmp") }.map(String.init)
    }

    public func run(on store: EventStore) -> [Finding] {
        let ids = Set(["minidump", "comsvcs", "lsass", ".dmp", "procdump", "rundll32"].flatMap { store.events(containing: $0, kinds: sources) })
        let records = ids.sorted().map { Record(store, $0) }
        let commands = records.filter { $0.isStart && Self.target(of: $0.commandLine) != nil }
        var used = Set<EventID>()
        var out: [Finding] = []

        // Dump commands, each with the process tree it belongs to (the PowerShell that started rundll32).
        var trees: [[Record]] = []
        for c in commands where !trees.contains(where: { $0.contains { $0.id == c.id } }) {
            var tree = [c]
            var grew = true
            while grew {
                grew = false
                for o in commands where !tree.contains(where: { $0.id == o.id }) && o.server == c.server
                    && tree.contains(where: { t in (o.parentPid != nil && o.parentPid == t.pid) || (t.parentPid != nil && t.parentPid == o.pid) })
                    && tree.allSatisfy({ abs(store.time[$0.id] - store.time[o.id]) <= 600_000 }) {
                    tree.append(o); grew = true
                }
            }
            trees.append(tree)
        }
        for tree in trees {
            let server = tree[0].server
            let pids = Set(tree.compactMap(\.pid))
            let start = tree.map { store.time[$0.id] }.min() ?? 0
            let related = records.filter { r in
                r.server == server && !r.isStart && r.pid.map(pids.contains) == true && abs(store.time[r.id] - start) <= 3_600_000
                    && (r.opensLsass || r.writesDump || (r.eid == "10"))
            }
            let verdict = judge(tree, related: related, store: store)
            used.formUnion(tree.map(\.id)); used.formUnion(related.map(\.id))
            guard verdict.fires else { continue }
            let lead = tree.first { Self.dumpers.contains($0.imageName) } ?? tree[0]
            // The dump fetched over SMB afterwards (Security 5145 naming its file): who took the credentials away.
            let fetched = Self.dumpFile(of: lead.commandLine).map { Self.fetches(of: $0, in: records, server: server, after: start, store: store) } ?? []
            used.formUnion(fetched.map(\.id))
            let events = (tree + related.filter { $0.opensLsass || $0.writesDump } + fetched).map(\.id)
            let p = ProcessEvent(store, tree[0].id)
            let who = p.map { $0.user.isEmpty ? "" : " as \($0.user)" } ?? ""
            out.append(Finding(self, store: store, events: events, severity: verdict.severity,
                               title: verdict.severity == .critical ? title : "Process memory dumped (target not identified)",
                               summary: "\(tree[0].imageName) '\(tree[0].commandLine)'\(who); \(verdict.reason)"
                                   + (lead.id != tree[0].id ? "; dumper \(lead.imageName) '\(lead.commandLine)'" : "")
                                   + Self.fetchedSummary(fetched)
                                   + (events.count > 1 ? " (+\(events.count - 1) related event\(events.count == 2 ? "" : "s"))" : "")))
        }

        // Without a command line: lsass.exe opened with read rights, or a .dmp written by a dumper.
        let alone = records.filter { !used.contains($0.id) && (($0.eid == "10" && $0.opensLsass) || ($0.writesDump && Self.dumpers.contains($0.imageName))) }
        var byProcess: [String: [Record]] = [:]
        var order: [String] = []
        for r in alone {
            let key = "\(r.server)\u{0}\(r.pid ?? -1)\u{0}\(r.image.lowercased())"
            if byProcess[key] == nil { order.append(key) }
            byProcess[key, default: []].append(r)
        }
        for key in order {
            let group = byProcess[key]!
            let access = group.first { $0.eid == "10" && ($0.access ?? 0) & Self.vmRead != 0 && !Self.systemReaders.contains($0.imageName) }
            let dump = group.first { $0.writesDump }
            guard access != nil || dump != nil else { continue }
            var parts: [String] = []
            if let a = access { parts.append("\(a.imageName) opened lsass.exe with access 0x\(String(a.access ?? 0, radix: 16)) (Sysmon 10)") }
            if let d = dump { parts.append("\(d.imageName) wrote '\(d.file)' (Sysmon 11)") }
            let confirmed = access != nil || dump.map { $0.file.lowercased().contains("lsass") } == true
            out.append(Finding(self, store: store, events: group.map(\.id), severity: confirmed ? .critical : .medium,
                               title: confirmed ? title : "Memory dump written by a dumping tool",
                               summary: parts.joined(separator: "; ")))
        }
        return out
    }

    /// Whether a dump command's tree dumped LSASS, from its command lines and the events of its processes.
    private func judge(_ tree: [Record], related: [Record], store: EventStore) -> (fires: Bool, severity: Severity, reason: String) {
        let targets = tree.compactMap { Self.target(of: $0.commandLine) }
        if targets.contains(.lsass) { return (true, .critical, "target lsass named in the command line") }
        if let opened = related.first(where: \.opensLsass) {
            return (true, .critical, "\(opened.imageName) opened lsass.exe (event \(opened.eid)\(opened.access.map { ", access 0x" + String($0, radix: 16) } ?? ""))")
        }
        for t in targets {
            switch t {
            case .named(let name): return (name == "lsass.exe", .critical, "target \(name)")
            case .pid(let pid):
                let accessed = related.first { $0.eid == "10" && $0.targetPid == pid && !$0.targetImage.isEmpty }
                if let name = accessed.map({ ProcessEvent.baseName($0.targetImage) }) ?? processName(pid, server: tree[0].server, near: store.time[tree[0].id], store: store) {
                    return (name == "lsass.exe", .critical, "target PID \(pid) is \(name)")
                }
                // HAFNIUM's own form, `MiniDump 624 C:\\windows\\temp\\lsass.dmp`: the file names what was dumped.
                if let file = tree.compactMap({ Self.dumpFile(of: $0.commandLine) }).first(where: { $0.lowercased().contains("lsass") }) {
                    return (true, .critical, "target PID \(pid) not identified by the loaded events; the dump is named '\(file)'")
                }
                return (true, .medium, "target PID \(pid) not identified by the loaded events")
            case .lsass, .unknown: continue
            }
        }
        return (true, .medium, "target not identified by the command line or the loaded events")
    }

    /// The image of process `pid` on `server` from events nearest in time (its start, Sysmon events naming it).
    private func processName(_ pid: Int, server: String, near time: Int64, store: EventStore) -> String? {
        var best: (distance: Int64, name: String)?
        for needle in Set([String(pid), String(pid, radix: 16)]) {
            for id in store.events(containing: needle, kinds: sources) where store.server(of: id) == server {
                let r = Record(store, id)
                var name: String?
                if r.isStart || !["10", "4656", "4663"].contains(r.eid), r.pid == pid, !r.image.isEmpty { name = r.imageName }
                if r.eid == "10", r.targetPid == pid, !r.targetImage.isEmpty { name = ProcessEvent.baseName(r.targetImage) }
                guard let name else { continue }
                let d = abs(store.time[id] - time)
                if best == nil || d < best!.distance { best = (d, name) }
            }
        }
        return best?.name
    }
}

import ExchangeEvidence

/// Sysmon file-creation events (11) writing a script page where web shells were planted (the directory rules
/// of `webshell.file`), or the Unified Messaging worker writing anything but its own caches and logs
/// (CVE-2021-26858 exploited through UM). In OTRF's lab the OAB reset wrote `owa\auth\ohyeah.aspx` as
/// `System` (pid 4), then w3wp compiled it into `Temporary ASP.NET Files`.
public struct WebShellWriteRule: DetectionRule {
    public init() {}
    public let id = "webshell.write-event"
    public let title = "Web-shell file written (Sysmon)"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.fileEvent]
    public let help = "Sysmon 11: .aspx/.ashx/.asmx created under aspnet_client, FrontEnd\\HttpProxy\\owa\\auth (non-standard) or ecp\\auth; UMWorkerProcess.exe creating files other than its caches and logs."

    /// What `UMWorkerProcess.exe` writes in normal operation (Sigma `file_event_win_cve_2021_26858_msexchange`).
    static let umBenignEndings = ["cachecleanup.bin", ".txt", ".log", ".cfg", "cleanup.bin"]

    public func run(on store: EventStore) -> [Finding] {
        let candidates = Set(store.events(containing: "targetfilename=", kinds: sources))
        return candidates.sorted().compactMap { id in
            let f = EventFields(store, id)
            guard f["EventID"] == "11", (f["Provider"] ?? "").lowercased().contains("sysmon"),
                  let target = f["TargetFilename"], !target.isEmpty
            else { return nil }
            let image = f["Image"] ?? ""
            let writer = ProcessEvent.baseName(image)
            var why = WebShellPath.reason(file: target)
            var title: String?
            if why == nil, let page = WebShellFileRule.compiledPage(target.lowercased().replacingOccurrences(of: "/", with: "\\")) {
                why = "ASP.NET compiled '\(page)', which is not a standard owa\\auth page"
                title = "Compiled copy of a non-standard page written (Sysmon)"
            }
            if why == nil, writer == "umworkerprocess.exe", !Self.umBenignEndings.contains(where: { target.lowercased().hasSuffix($0) }) {
                why = "the UM worker writes only caches and logs (CVE-2021-26858 through UM)"
            }
            guard let why else { return nil }
            return Finding(self, store: store, events: [id], severity: title == nil ? .high : .medium, title: title,
                           summary: "\(image.isEmpty ? "a process" : image) created \(target): \(why)")
        }
    }
}

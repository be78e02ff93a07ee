import ExchangeEvidence

/// 7-Zip packing data into `ProgramData`, HAFNIUM's exfiltration staging (`7z.exe … -t7z … C:\ProgramData\pst\it.zip`;
/// MSTIC, Sigma `proc_creation_win_apt_hafnium` selection_7zip, M365 hunting query `7-zip-prep-for-exfiltration`).
public struct SevenZipProgramDataRule: DetectionRule {
    public init() {}
    public let id = "process.7zip-programdata"
    public let title = "7-Zip archive written into ProgramData"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.processCreation]
    public let help = "Sysmon 1 / Security 4688: 7z.exe/7za.exe/7zr.exe (or a -t7z command line) whose command line names ProgramData."

    public func run(on store: EventStore) -> [Finding] {
        store.events(containing: "programdata", kinds: sources).compactMap { id in
            guard let p = ProcessEvent(store, id) else { return nil }
            let cmd = p.commandLine.lowercased()
            let sevenZip = ["7z.exe", "7za.exe", "7zr.exe"].contains(p.imageName) || cmd.contains(" -t7z ")
            guard sevenZip, cmd.contains("programdata") else { return nil }
            return Finding(self, store: store, events: [id],
                           summary: "\(p.imageName) '\(p.commandLine)'\(p.user.isEmpty ? "" : " as \(p.user)")\(p.parentName.isEmpty ? "" : ", parent \(p.parentName)")")
        }
    }
}

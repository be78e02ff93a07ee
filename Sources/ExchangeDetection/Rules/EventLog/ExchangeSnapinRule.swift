import ExchangeEvidence

/// PowerShell loading the Exchange management snap-in outside Exchange's own tooling: HAFNIUM used it to
/// export mailboxes (M365 hunting query `exchange-powershell-snapin-loaded`; Sigma
/// `proc_creation_win_powershell_snapins_hafnium`, whose msiexec filter is kept).
public struct ExchangeSnapinRule: DetectionRule {
    public init() {}
    public let id = "process.exchange-snapin"
    public let title = "Exchange PowerShell snap-in loaded"
    public let cves: [String] = []
    public let severity = Severity.medium
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.processCreation]
    public let help = "Sysmon 1 / Security 4688 powershell/pwsh with Add-PSSnapin Microsoft.Exchange.Powershell.Snapin (or Management.PowerShell.SnapIn), not started by msiexec's Get-ExchangeServer setup step."

    public func run(on store: EventStore) -> [Finding] {
        store.events(containing: "add-pssnapin", kinds: sources).compactMap { id in
            guard let p = ProcessEvent(store, id) else { return nil }
            let cmd = p.commandLine.lowercased()
            guard cmd.contains("microsoft.exchange.powershell.snapin") || cmd.contains("microsoft.exchange.management.powershell.snapin"),
                  !(p.parentName == "msiexec.exe" && cmd.contains("$exserver=get-exchangeserver"))
            else { return nil }
            return Finding(self, store: store, events: [id],
                           summary: "\(p.imageName) '\(p.commandLine)'\(p.user.isEmpty ? "" : " as \(p.user)")\(p.parentName.isEmpty ? "" : ", parent \(p.parentName)")")
        }
    }
}

import ExchangeEvidence

/// The file ProxyShell's mailbox export leaves: a PST (it starts with the magic `!BDN`) saved under a web page's
/// name, found among the collected web files; or Sysmon 11 showing `MSExchangeMailboxReplication.exe` (the
/// service that writes exports) creating an `.aspx`/`.asp`/`.ashx` file. No real page starts with `!BDN`.
public struct MailboxExportFileRule: DetectionRule {
    public init() {}
    public let id = "webshell.mailbox-export-file"
    public let title = "Mailbox export written as a web page (ProxyShell web shell)"
    public let cves = ["CVE-2021-31207"]
    public let severity = Severity.critical
    public let sources = [SourceKind.webFile, .eventLog]
    /// Either the collected pages (a snapshot) or Sysmon's file events let it run.
    public var needs: EvidenceNeed {
        EvidenceNeed("collected web files or Microsoft-Windows-Sysmon/Operational event logs", kinds: [.webFile, .eventLog], spansTime: false,
                     channels: [.eventLog: ["microsoft-windows-sysmon/operational"]])
    }
    public let help = "Collected web files whose content starts with the PST magic '!BDN'; Sysmon 11 where MSExchangeMailboxReplication.exe creates .aspx/.asp/.ashx files."

    static let pages = [".aspx", ".asp", ".ashx", ".asmx"]

    public func run(on store: EventStore) -> [Finding] {
        var out: [Finding] = []
        for (_, range) in store.eventRanges(kinds: [.webFile]) {
            for id in range {
                let f = EventFields(store, id)
                guard let content = f["Content"], content.hasPrefix("!BDN") else { continue }
                out.append(Finding(self, store: store, events: [id],
                                   summary: "\(f["Path"] ?? store.value(.urlStem, id)): a PST file (starts with '!BDN', \(f["Size"] ?? "?") bytes) under a web page's name"
                                       + ((f["WebPath"] ?? "").isEmpty ? "" : "; served at \(f["WebPath"]!)")))
            }
        }
        for id in store.events(containing: "msexchangemailboxreplication", kinds: [.eventLog]) {
            let f = EventFields(store, id)
            guard f["EventID"] == "11", ProcessEvent.baseName(f["Image"] ?? "") == "msexchangemailboxreplication.exe",
                  let target = f["TargetFilename"], Self.pages.contains(where: { target.lowercased().hasSuffix($0) }) else { continue }
            out.append(Finding(self, store: store, events: [id], summary: "MSExchangeMailboxReplication.exe created '\(target)' (Sysmon 11)"))
        }
        return out
    }
}

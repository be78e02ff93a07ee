import Foundation
import ExchangeEvidence

/// The `MSExchange Management` cmdlet log recording `Set-OabVirtualDirectory -ExternalUrl` with script in it:
/// CVE-2021-27065 as seen on the host (OTRF dataset SDWIN-210314014019; Sigma
/// `win_exchange_proxylogon_oabvirtualdir` and `win_exchange_set_oabvirtualdirectory_externalurl`).
/// The cmdlet name and parameters are unnamed EventData values, so all values are read as one text.
public struct CmdletOABScriptRule: DetectionRule {
    public init() {}
    public let id = "exchange.cmdlet-vdir-script"
    public let title = "Cmdlet log: script in a virtual directory URL (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065"]
    public let severity = Severity.high
    public let sources = [SourceKind.eventLog]
    public let logSources: [SigmaLogSource] = [.exchangeManagementLog]
    public let help = "MSExchange Management log (MSExchange CmdletLogs): Set-*VirtualDirectory with an -*Url parameter holding markup (<script …>) or Page_Load/eval(Request. A change that failed (event 6) set nothing: medium, an attempt."

    /// `Set-…VirtualDirectory` and its parameters from unnamed values: the cmdlet in one and its parameters in the
    /// next, or both in one rendered text.
    static func command(in values: [String]) -> String {
        if let i = values.firstIndex(where: { $0.lowercased().hasPrefix("set-") && $0.lowercased().hasSuffix("virtualdirectory") }) {
            return values[i] + " " + (i + 1 < values.count ? values[i + 1] : "")
        }
        return values.first { $0.range(of: "set-", options: .caseInsensitive) != nil && $0.range(of: "virtualdirectory", options: .caseInsensitive) != nil && $0.contains(" ") } ?? ""
    }

    public func run(on store: EventStore) -> [Finding] {
        store.events(containing: "virtualdirectory", kinds: sources).compactMap { id in
            let f = EventFields(store, id)
            guard (f["Provider"] ?? "").lowercased().contains("msexchange") || (f["Channel"] ?? "").lowercased() == "msexchange management"
            else { return nil }
            // The cmdlet log as its readers and exports give it (`CmdletEvent`: named values, a SIEM's unnamed ones,
            // or only the rendered message, whose failed form ends `. Error: …`); other MSExchange logs as text.
            let cmdlet = CmdletEvent(store, id)
            let text = cmdlet.map { $0.cmdlet + " " + $0.parameters } ?? Self.command(in: f.values)
            guard let hit = VirtualDirectoryCommand.scriptedUrl(in: text) else { return nil }
            // A refused change (event 6) set nothing: an attempt.
            let failed = cmdlet?.failed == true
            return Finding(self, store: store, events: [id], severity: failed ? .medium : nil,
                           summary: "\(hit.cmdlet) -\(hit.parameter) '\(hit.value)'\(cmdlet?.context ?? "")"
                               + (failed ? "; the change was refused, an attempt" : ""))
        }
    }
}

import ExchangeEvidence

/// ProxyShell's third step, CVE-2021-31207: through the PowerShell back end the attacker grants itself
/// `Mailbox Import Export` (`New-ManagementRoleAssignment`) and exports a mailbox holding a crafted draft to a
/// web folder with an `.aspx` name (`New-MailboxExportRequest -FilePath \\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\x.aspx`):
/// the PST it writes is a web shell. Read from every log recording cmdlets (`CmdletEvent`: the `MSExchange
/// Management` event log, the Rps_Cmdlet log, the ECP logs); the role grant and the `Remove-MailboxExportRequest`
/// clean-up in the same hour are attached.
public struct MailboxExportToWebRule: DetectionRule {
    public init() {}
    public let id = "exchange.mailbox-export-web"
    public let title = "Mailbox exported into a web folder (CVE-2021-31207)"
    public let cves = ["CVE-2021-31207"]
    public let severity = Severity.critical
    public let sources = CmdletEvent.kinds
    /// For the per-event gaps: the event log it reads among them (the Rps and ECP logs have no event ids).
    public let logSources: [SigmaLogSource] = [.exchangeManagementLog]
    public var needs: EvidenceNeed { .cmdletLogs }
    public let help = "Cmdlet logs (MSExchange Management event log, Rps_Cmdlet log, ECP S:CMD=): New-MailboxExportRequest whose -FilePath ends in .aspx/.asp/.ashx/.asmx or lies under inetpub, aspnet_client or FrontEnd\\HttpProxy; the Mailbox Import Export role grant and Remove-MailboxExportRequest nearby are attached. An export that failed (event 6, ExecutionResult other than Success) wrote no file: medium, an attempt."

    static let webFolders = ["\\inetpub\\", "\\aspnet_client\\", "\\frontend\\httpproxy\\", "\\wwwroot\\", "\\owa\\auth\\", "\\ecp\\auth\\"]

    /// The `-FilePath` value when it points into a web folder or has a web page's extension.
    static func webTarget(_ parameters: String) -> String? {
        guard let path = parameter("filepath", in: parameters) else { return nil }
        let l = path.lowercased().replacingOccurrences(of: "/", with: "\\")
        let page = [".aspx", ".asp", ".ashx", ".asmx", ".config", ".js"].contains { l.hasSuffix($0) }
        let folder = webFolders.contains { l.contains($0) }
        return page || folder ? path : nil
    }

    public func run(on store: EventStore) -> [Finding] {
        let exports = CmdletEvent.events(store, mentioning: "mailboxexportrequest", cmdlets: ["new-mailboxexportrequest"])
            .filter { Self.webTarget($0.parameters) != nil }
        guard !exports.isEmpty else { return [] }
        let related = CmdletEvent.events(store, mentioning: "import export", cmdlets: ["new-managementroleassignment"])
            + CmdletEvent.events(store, mentioning: "mailboxexportrequest", cmdlets: ["remove-mailboxexportrequest"])
        let exportIDs = exports.map(\.id)
        return Grouping.bursts(exportIDs + related.map(\.id), in: store, by: nil).compactMap { group in
            let mine = exports.filter { group.contains($0.id) }
            // An export that failed (event 6) wrote no file: an attempt, not a web shell, unless one beside it succeeded.
            let done = mine.filter { !$0.failed }
            guard let first = done.first ?? mine.first else { return nil }
            let target = Self.webTarget(first.parameters) ?? ""
            let others = group.count - mine.count
            let failed = mine.count - done.count
            let more = done.count - 1
            let mailbox = Self.parameter("mailbox", in: first.parameters) ?? Self.parameter("identity", in: first.parameters)
            // Placed at the export, the step that wrote the shell: the role grant before it is context.
            return Finding(self, store: store, events: group, severity: done.isEmpty ? .medium : nil, at: first.id,
                           summary: "New-MailboxExportRequest\(mailbox.map { " of '\($0)'" } ?? "") to '\(target)'\(first.context)"
                               + (more > 0 ? " (+\(more) more export\(more == 1 ? "" : "s"))" : "")
                               + (failed > 0 && !done.isEmpty ? " (+\(failed) failed)" : "")
                               + (done.isEmpty ? "; no file was written, an attempt" : "")
                               + (others > 0 ? "; with \(others) related cmdlet\(others == 1 ? "" : "s") (role grant, clean-up)" : ""))
        }
    }

    /// The value of `-NAME` in a cmdlet log's parameter text (`-Mailbox "x"`, `-Mailbox x`, `-FilePath:x`), found
    /// outside quotes: a value may itself hold `-FilePath` (a mailbox named to mislead), which is not the parameter.
    static func parameter(_ name: String, in text: String) -> String? {
        let chars = Array(text)
        let key = Array("-" + name.lowercased())
        var i = 0, quote: Character? = nil
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "-", i == 0 || chars[i - 1] == " ", i + key.count <= chars.count,
                      String(chars[i..<(i + key.count)]).lowercased() == String(key),
                      i + key.count == chars.count || chars[i + key.count] == " " || chars[i + key.count] == ":" {
                var j = i + key.count
                while j < chars.count, chars[j] == " " || chars[j] == ":" { j += 1 }
                guard j < chars.count else { return nil }
                if chars[j] == "\"" || chars[j] == "'" {
                    let q = chars[j]
                    let end = chars[(j + 1)...].firstIndex(of: q) ?? chars.count
                    return String(chars[(j + 1)..<end])
                }
                let end = chars[j...].firstIndex(of: " ") ?? chars.count
                return String(chars[j..<end])
            }
            i += 1
        }
        return nil
    }
}

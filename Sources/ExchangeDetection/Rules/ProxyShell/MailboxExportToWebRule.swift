import ExchangeEvidence

/// ProxyShell's third step, CVE-2021-31207: through the PowerShell back end the attacker grants itself
/// `Mailbox Import Export` (`New-ManagementRoleAssignment`) and exports a mailbox holding a crafted draft to a
/// web folder with an `.aspx` name (`New-MailboxExportRequest -FilePath \\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\x.aspx`):
/// the PST it writes is a web shell. Read from the `MSExchange Management` cmdlet log; the role grant and the
/// `Remove-MailboxExportRequest` clean-up in the same hour are attached.
public struct MailboxExportToWebRule: DetectionRule {
    public init() {}
    public let id = "exchange.mailbox-export-web"
    public let title = "Mailbox exported into a web folder (CVE-2021-31207)"
    public let cves = ["CVE-2021-31207"]
    public let severity = Severity.critical
    public let sources = [SourceKind.eventLog]
    public let help = "MSExchange Management cmdlet log: New-MailboxExportRequest whose -FilePath ends in .aspx/.asp/.ashx/.asmx or lies under inetpub, aspnet_client or FrontEnd\\HttpProxy; the Mailbox Import Export role grant and Remove-MailboxExportRequest nearby are attached."

    static let webFolders = ["\\inetpub\\", "\\aspnet_client\\", "\\frontend\\httpproxy\\", "\\wwwroot\\", "\\owa\\auth\\", "\\ecp\\auth\\"]

    /// The `-FilePath` value when it points into a web folder or has a web page's extension.
    static func webTarget(_ parameters: String) -> String? {
        let lower = parameters.lowercased()
        guard let r = lower.range(of: "-filepath") else { return nil }
        var rest = parameters[r.upperBound...].drop { $0 == " " || $0 == ":" }
        let quoted = rest.first == "\"" || rest.first == "'"
        if quoted { let q = rest.first!; rest = rest.dropFirst(); rest = rest.prefix { $0 != q } } else { rest = rest.prefix { $0 != " " } }
        let path = String(rest)
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
            guard let first = mine.first else { return nil }
            let target = Self.webTarget(first.parameters) ?? ""
            let others = group.count - mine.count
            let mailbox = Self.parameter("mailbox", in: first.parameters) ?? Self.parameter("identity", in: first.parameters)
            return Finding(self, store: store, events: group,
                           summary: "New-MailboxExportRequest\(mailbox.map { " of '\($0)'" } ?? "") to '\(target)'\(first.context)"
                               + (mine.count > 1 ? " (+\(mine.count - 1) more export\(mine.count == 2 ? "" : "s"))" : "")
                               + (others > 0 ? "; with \(others) related cmdlet\(others == 1 ? "" : "s") (role grant, clean-up)" : ""))
        }
    }

    /// The value of `-NAME` in a cmdlet log's parameter text (`-Mailbox "x"` or `-Mailbox x`).
    static func parameter(_ name: String, in text: String) -> String? {
        guard let r = text.range(of: "-\(name) ", options: .caseInsensitive) else { return nil }
        var rest = text[r.upperBound...]
        if rest.first == "\"" { rest = rest.dropFirst(); return String(rest.prefix { $0 != "\"" }) }
        return String(rest.prefix { $0 != " " })
    }
}

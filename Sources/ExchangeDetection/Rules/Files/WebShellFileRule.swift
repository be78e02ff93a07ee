import ExchangeEvidence

/// Script pages on disk where web shells were planted (Volexity / CISA AA21-062A directory rules), and
/// compiled copies of non-standard pages in `Temporary ASP.NET Files` (`<page>.aspx.<hash>.compiled`,
/// written when w3wp first serves a shell — OTRF dataset SDWIN-210314014019).
public struct WebShellFileRule: DetectionRule {
    public init() {}
    public let id = "webshell.file"
    public let title = "Web-shell file on disk"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = FilePaths.kinds
    public let help = "File listings or collected files: .aspx/.ashx/.asmx under inetpub\\wwwroot\\aspnet_client\\, non-standard pages under FrontEnd\\HttpProxy\\owa\\auth\\ (and any under Current\\ or version folders), anything but TimeoutLogoff.aspx under ecp\\auth\\; compiled non-standard pages in Temporary ASP.NET Files."

    public func run(on store: EventStore) -> [Finding] {
        var out: [Finding] = []
        for id in FilePaths.events(store, { WebShellPath.reason(file: $0) != nil || Self.compiledPage($0) != nil }) {
            let path = store.value(.urlStem, id)
            if let why = WebShellPath.reason(file: path) {
                out.append(Finding(self, store: store, events: [id], summary: "\(path): \(why)" + Self.details(store, id)))
            } else if let page = Self.compiledPage(path.lowercased()) {
                out.append(Finding(self, store: store, events: [id], severity: .medium, title: "Compiled copy of a non-standard page",
                                   summary: "\(path): ASP.NET compiled '\(page)', which is not a standard owa\\auth page" + Self.details(store, id)))
            }
        }
        return out
    }

    /// For `…\temporary asp.net files\…\<page>.aspx.<hash>.compiled`, the page name when it is not standard.
    static func compiledPage(_ p: String) -> String? {
        guard p.contains("\\temporary asp.net files\\"), p.hasSuffix(".compiled") else { return nil }
        let parts = FilePaths.name(p).split(separator: ".")
        guard parts.count >= 4, ["aspx", "ashx", "asmx"].contains(String(parts[parts.count - 3])) else { return nil }
        let page = parts[0..<(parts.count - 2)].joined(separator: ".")
        return WebShellPath.standardOWAAuth.contains(page) ? nil : page
    }

    static func details(_ store: EventStore, _ id: EventID) -> String {
        let f = EventFields(store, id)
        var parts: [String] = []
        if let c = f["CreationTimeUtc"], !c.isEmpty { parts.append("created \(c)") }
        if let w = f["LastWriteTimeUtc"], !w.isEmpty { parts.append("written \(w)") }
        if let l = f["Length"], !l.isEmpty { parts.append("\(l) bytes") }
        if let h = f["Hash"], !h.isEmpty { parts.append("\(f["Algorithm"] ?? "hash") \(h)") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }
}

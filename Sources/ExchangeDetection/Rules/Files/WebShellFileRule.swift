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
        // A file seen both in a listing and as a collected copy is one finding: key by server, folder and name.
        struct Key: Hashable { let server: String; let tail: String }
        var groups: [Key: [EventID]] = [:]
        var order: [Key] = []
        for id in FilePaths.events(store, { WebShellPath.reason(file: $0) != nil || Self.compiledPage($0) != nil }) {
            let parts = store.value(.urlStem, id).lowercased().split(whereSeparator: { $0 == "\\" || $0 == "/" })
            let k = Key(server: store.server(of: id), tail: parts.suffix(2).joined(separator: "/"))
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(id)
        }
        return order.map { k in
            let ids = groups[k]!
            // Prefer the listing's row: it has the drive path and the times.
            let main = ids.first { store.kind(of: $0) != .webFile } ?? ids[0]
            let path = store.value(.urlStem, main)
            let extra = ids.count > 1 ? "; also collected as a file" : ""
            if let why = WebShellPath.reason(file: path) {
                return Finding(self, store: store, events: ids, summary: "\(path): \(why)" + Self.details(store, main) + extra)
            }
            let page = Self.compiledPage(path.lowercased()) ?? ""
            return Finding(self, store: store, events: ids, severity: .medium, title: "Compiled copy of a non-standard page",
                           summary: "\(path): ASP.NET compiled '\(page)', which is not a standard owa\\auth page" + Self.details(store, main))
        }
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

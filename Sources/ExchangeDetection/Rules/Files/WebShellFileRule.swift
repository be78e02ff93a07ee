import ExchangeEvidence

/// Script pages on disk where web shells were planted (Volexity / CISA AA21-062A directory rules), and
/// compiled copies of non-standard pages in `Temporary ASP.NET Files` (`<page>.aspx.<hash>.compiled`,
/// written when w3wp first serves a shell — OTRF dataset SDWIN-210314014019) with the `App_Web_*.dll` beside them.
/// Other `App_Web_*.dll` assemblies are normal, so they are only listed, at `info`, with the newest one's time.
public struct WebShellFileRule: DetectionRule {
    public init() {}
    public let id = "webshell.file"
    public let title = "Web-shell file on disk"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = FilePaths.kinds
    public var needs: EvidenceNeed { .fileListing }
    public let help = "File listings or collected files: .aspx/.ashx/.asmx under inetpub\\wwwroot\\aspnet_client\\, non-standard pages under FrontEnd\\HttpProxy\\owa\\auth\\ (and any under Current\\ or version folders), any file but TimeoutLogoff.aspx under ecp\\auth\\ (a TimeoutLogoff.aspx.bak too), any page elsewhere under a FrontEnd\\HttpProxy\\ protocol folder (OAB\\, ecp\\, …); compiled non-standard pages in Temporary ASP.NET Files."

    public func run(on store: EventStore) -> [Finding] {
        // A file seen both in a listing and as a collected copy is one finding: key by server, folder and name.
        struct Key: Hashable { let server: String; let tail: String }
        var groups: [Key: [EventID]] = [:]
        var order: [Key] = []
        var assemblies: [EventID] = []
        let candidates = FilePaths.events(store) { WebShellPath.reason(file: $0) != nil || Self.compiledPage($0) != nil || Self.isAssembly($0) }
        for id in Set(candidates + Self.collectedOnDiskPath(store)).sorted() {
            let lower = store.value(.urlStem, id).lowercased().replacingOccurrences(of: "/", with: "\\")
            if Self.isAssembly(lower) { assemblies.append(id); continue }
            let parts = lower.split(separator: "\\")
            let k = Key(server: store.server(of: id), tail: parts.suffix(2).joined(separator: "\\"))
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(id)
        }
        var out: [Finding] = []
        var explained = Set<EventID>()
        for k in order {
            let ids = groups[k]!
            // Prefer the listing's row: it has the drive path and the times.
            let main = ids.first { store.kind(of: $0) != .webFile } ?? ids[0]
            var path = store.value(.urlStem, main)
            let extra = ids.contains { store.kind(of: $0) == .webFile } && ids.contains { store.kind(of: $0) != .webFile }
                ? "; also collected as a file" : ""
            if let (shown, why) = Self.reason(store, main) {
                path = shown
                let published = PublishedWebShells.indicator(for: path)
                out.append(Finding(self, store: store, events: ids, severity: published == nil ? severity : .critical,
                                   summary: "\(path): \(why)" + (published.map { "; a published web shell (\($0))" } ?? "")
                                       + Self.details(store, main) + extra))
                continue
            }
            // A compiled shell: the App_Web_*.dll assemblies of the same folder belong to it.
            let folder = Self.folder(path)
            let beside = assemblies.filter { store.server(of: $0) == k.server && Self.folder(store.value(.urlStem, $0)) == folder }
            explained.formUnion(beside)
            let page = Self.compiledPage(path.lowercased()) ?? ""
            out.append(Finding(self, store: store, events: ids + beside, severity: .medium, title: "Compiled copy of a non-standard page",
                               summary: "\(path): ASP.NET compiled '\(page)', which is not a standard owa\\auth page" + Self.details(store, main)
                                   + (beside.isEmpty ? "" : "; \(beside.count) App_Web_*.dll beside it")))
        }
        // Other compiled assemblies: normal for pages Exchange compiles, and where compiled shells hide. Listed
        // once per server at info, with the newest time, to compare with the attack window.
        for (_, ids) in Dictionary(grouping: assemblies.filter { !explained.contains($0) }, by: { store.server(of: $0) })
            .sorted(by: { $0.key < $1.key }) {
            let newest = ids.max { store.time[$0] < store.time[$1] }!
            out.append(Finding(self, store: store, events: ids, severity: .info, title: "Compiled page assemblies in Temporary ASP.NET Files",
                               summary: "\(ids.count) App_Web_*.dll in Temporary ASP.NET Files; newest \(store.value(.urlStem, newest))"
                                   + Self.details(store, newest)))
        }
        return out
    }

    /// Collected web files whose path as collected (not the URL they answer on) has a reason: a page under
    /// `FrontEnd\HttpProxy\OAB\` answers on `/OAB/…`, a URL that says nothing of the front end's folder.
    static func collectedOnDiskPath(_ store: EventStore) -> [EventID] {
        store.eventRanges(kinds: [.webFile]).filter { WebShellPath.reason(file: store.files[$0.file].path) != nil }
            .flatMap { Array($0.range) }
    }

    /// The path to quote and why it is a likely shell: by the URL stem (a listing's drive path, a collected
    /// file's URL), else, for a collected file, by the path it was collected from.
    static func reason(_ store: EventStore, _ id: EventID) -> (path: String, why: String)? {
        let stem = store.value(.urlStem, id)
        if let why = WebShellPath.reason(file: stem) { return (stem, why) }
        guard store.kind(of: id) == .webFile, case let path = store.file(of: id).path,
              let why = WebShellPath.reason(file: path) else { return nil }
        return (path, why)
    }

    /// `App_Web_*.dll` under `Temporary ASP.NET Files` (a lower-case `\` path).
    static func isAssembly(_ p: String) -> Bool {
        p.contains("\\temporary asp.net files\\") && FilePaths.name(p).hasPrefix("app_web_") && p.hasSuffix(".dll")
    }

    static func folder(_ path: String) -> String {
        let p = path.lowercased().replacingOccurrences(of: "/", with: "\\")
        return p.lastIndex(of: "\\").map { String(p[..<$0]) } ?? ""
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
        // As `YYYY-MM-DD hh:mm:ss` UTC, which output shows in the session's zone like every other time.
        func time(_ v: String) -> String { FileListingReader.utcTime(v, in: store.file(of: id)).map(Timestamp.short) ?? v }
        if let c = f["CreationTimeUtc"], !c.isEmpty { parts.append("created \(time(c))") }
        if let w = f["LastWriteTimeUtc"], !w.isEmpty { parts.append("written \(time(w))") }
        if let l = f["Length"], !l.isEmpty { parts.append("\(l) bytes") }
        if let h = f["Hash"], !h.isEmpty { parts.append("\(f["Algorithm"] ?? "hash") \(h)") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }
}

import ExchangeEvidence

/// When a collected web file was written on the server. The copy is read as one event without a time, so
/// findings on it would sort before everything and could not be placed against builds.
///
/// 1. A file-listing row (`Get-ChildItem` export) for the same path on the same server: its time, the
///    listing's `LastWriteTimeUtc` (the reader's choice of column), is the server's own record of the file.
/// 2. Else the copy's modification time, when it can be the server's: collection tools and plain copies
///    often reset it to the moment of collection, so a time after the server's newest logged event is
///    taken for the collection's and not used.
/// 3. Else unknown, with the reason.
struct WebFileTiming {
    enum Time {
        /// Listing rows for the file (with known times), earliest first.
        case listing([EventID])
        case modified(Int64)
        case unknown(String)
    }

    let store: EventStore
    /// Server + lower-case path from the web root on → listing rows with a time.
    let rows: [String: [EventID]]
    /// Per server, the newest time of any dated file other than collected web files.
    let newest: [String: Int64]

    init(_ store: EventStore) {
        self.store = store
        var rows: [String: [EventID]] = [:]
        let listed = store.events(where: .urlStem, kinds: [.fileListing, .fileHash]) { bytes in
            Self.servedPath(String(decoding: bytes, as: UTF8.self)) != nil
        }
        for id in store.sortedByTime(listed) where store.time[id] != Timestamp.unknown {
            guard let key = Self.servedPath(store.value(.urlStem, id)) else { continue }
            rows[store.server(of: id) + "\u{0}" + key, default: []].append(id)
        }
        self.rows = rows
        var newest: [String: Int64] = [:]
        for f in store.files where f.kind != .webFile && f.lastTime != Timestamp.unknown {
            newest[f.server] = max(newest[f.server] ?? f.lastTime, f.lastTime)
        }
        self.newest = newest
    }

    func time(of id: EventID) -> Time {
        let file = store.file(of: id)
        let path = EventFields(store, id)["Path"] ?? file.path
        if let key = Self.servedPath(path), let found = rows[file.server + "\u{0}" + key] { return .listing(found) }
        let modified = file.modified
        guard modified != Timestamp.unknown, modified > 0 else { return .unknown("no listing row and no modification time") }
        guard let last = newest[file.server] else {
            return .unknown("no listing row, and no dated logs of \(file.server) to judge the copy's modification time "
                            + Timestamp.short(modified) + " by")
        }
        if modified > last {
            return .unknown("no listing row; the copy's modification time \(Timestamp.short(modified)) is after the newest "
                            + "event of \(file.server) (\(Timestamp.short(last))), so it is the collection's")
        }
        return .modified(modified)
    }

    /// The lower-case path from the web root on (`inetpub/wwwroot/…`, `frontend/httpproxy/…`), so that a
    /// listing's `C:\inetpub\…` and a mirror's `EX01/C/inetpub/…` meet; nil outside the web roots.
    static func servedPath(_ path: String) -> String? {
        let p = "/" + path.lowercased().replacingOccurrences(of: "\\", with: "/")
        for root in ["/inetpub/wwwroot/", "/frontend/httpproxy/"] {
            if let r = p.range(of: root) { return String(p[p.index(after: r.lowerBound)...]) }
        }
        return nil
    }
}

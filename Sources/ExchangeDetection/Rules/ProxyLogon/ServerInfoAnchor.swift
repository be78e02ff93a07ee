import ExchangeEvidence

/// Classifies HttpProxy `AnchorMailbox` values the way Test-ProxyLogon's CVE-2021-26855 filter does,
/// keeping the two classes it drops (autodiscover only, localhost scanner) instead of discarding them, and telling
/// apart from the scanners' port-less `ServerInfo~localhost/ecp/default.flt?` the exploits aimed at the server's own
/// back end on port 444 (`ServerInfo~localhost:444/ecp/DDI/DDIService.svc/SetObject?…`), which the script drops too.
enum ServerInfoAnchor: UInt8 {
    case none, ssrf, autodiscover, localhost, localBackEnd

    static let ssrfPattern = "serverinfo~*/*".lowerBytes
    static let autodiscoverPattern = "serverinfo~*/autodiscover*".lowerBytes
    static let localhostPattern = "serverinfo~localhost*/*".lowerBytes
    static let localBackEndPattern = "serverinfo~localhost:444/*".lowerBytes
    static let prefix = "serverinfo~".lowerBytes

    static func classify(_ v: UnsafeRawBufferPointer) -> ServerInfoAnchor {
        guard ByteMatch.hasPrefix(prefix, v), ByteMatch.like(ssrfPattern, v) else { return .none }
        // The scanners' localhost payload names no port; on the back end's port, localhost is a target like any other.
        let localhost = ByteMatch.like(localhostPattern, v)
        if localhost && !ByteMatch.like(localBackEndPattern, v) { return .localhost }
        if ByteMatch.like(autodiscoverPattern, v) { return .autodiscover }
        return localhost ? .localBackEnd : .ssrf
    }

    /// The SSRF rows the rules count, in id order, without Microsoft's Test-AMSI probe (`TestAMSIProbeRule`).
    static func ssrf(_ byClass: [ServerInfoAnchor: [EventID]], in store: EventStore) -> [EventID] {
        ssrf(byClass).filter { !TestAMSIProbeRule.isProbe($0, in: store) }
    }

    /// The rows Test-ProxyLogon counts (`.ssrf`) and those aimed at `localhost:444`, in id order.
    static func ssrf(_ byClass: [ServerInfoAnchor: [EventID]]) -> [EventID] {
        guard let local = byClass[.localBackEnd] else { return byClass[.ssrf] ?? [] }
        return ((byClass[.ssrf] ?? []) + local).sorted()
    }

    /// HttpProxy events per class (`.none` excluded), in id order; each distinct value is classified once.
    static func events(_ store: EventStore) -> [ServerInfoAnchor: [EventID]] {
        let p = store.pool
        var table = [UInt8](repeating: UInt8.max, count: p.count)  // max = not classified yet
        var out: [ServerInfoAnchor: [EventID]] = [:]
        store.values[InternedField.anchorMailbox.rawValue].withUnsafeBufferPointer { col in
            for (_, range) in store.eventRanges(kinds: [.httpProxy]) {
                for id in range {
                    let v = Int(col[id])
                    if v == 0 { continue }
                    if table[v] == UInt8.max { table[v] = p.withBytes(UInt32(v), classify).rawValue }
                    let c = ServerInfoAnchor(rawValue: table[v])!
                    if c != .none { out[c, default: []].append(id) }
                }
            }
        }
        return out
    }

    /// The back-end target of a `ServerInfo~host:port/path?query#` value: `/path` plus its `schema=`, if any.
    static func target(_ anchor: String) -> String {
        guard let slash = anchor.firstIndex(of: "/") else { return anchor }
        var rest = anchor[slash...]
        if let hash = rest.lastIndex(of: "#") { rest = rest[..<hash] }
        guard let q = rest.firstIndex(of: "?") else { return String(rest) }
        let path = String(rest[..<q])
        let query = rest[rest.index(after: q)...]
        if let schema = query.split(separator: "&").first(where: { $0.lowercased().hasPrefix("schema=") }) {
            return path + " " + schema
        }
        return path
    }

    /// The `host:port` an SSRF value routes to.
    static func backend(_ anchor: String) -> String {
        let afterTilde = anchor.drop { $0 != "~" }.dropFirst()
        let host = afterTilde.prefix { $0 != "/" }
        if let at = host.lastIndex(of: "@") { return String(host[host.index(after: at)...]) }
        return String(host)
    }
}

/// Summaries shared by the SSRF-family rules.
enum SSRFSummary {
    /// `6 requests from 130.255.189.21 to servernavn.xxx.local:444: /autodiscover/autodiscover.xml (200), …; UA …`
    static func describe(_ ids: [EventID], store: EventStore, what: String) -> String {
        let ip = Grouping.distinct(ids, .clientIP, in: store).joined(separator: ", ")
        var targets: [String] = []
        var seen = Set<String>()
        var backends: [String] = []
        for id in ids {
            let anchor = store.value(.anchorMailbox, id)
            let b = ServerInfoAnchor.backend(anchor)
            if !backends.contains(b) { backends.append(b) }
            let status = store.value(.status, id)
            let t = ServerInfoAnchor.target(anchor) + (status.isEmpty ? "" : " (\(status))")
            if seen.insert(t).inserted { targets.append(t) }
        }
        let shown = targets.prefix(8).joined(separator: ", ") + (targets.count > 8 ? ", +\(targets.count - 8) more" : "")
        let n = ids.count
        return "\(n) \(what)\(n == 1 ? "" : "s") from \(ip.isEmpty ? "unknown IP" : ip) via \(Grouping.tally(ids, .urlStem, in: store, limit: 2))"
            + " to \(backends.prefix(3).joined(separator: ", ")): \(shown); AnchorMailbox '\(store.value(.anchorMailbox, ids[0]))'"
            + "; UA \(Grouping.tally(ids, .userAgent, in: store, limit: 2))"
    }
}

/// Web-shell paths and file names the built-in indicator sets publish. A page in a web-shell location is a
/// likely shell; one that also bears a published path or name is a known one, so its finding is critical and
/// says which set names it (the report then calls the server compromised, not attacked).
enum PublishedWebShells {
    /// Path indicators (lower-case, `/`, no drive; `%ProgramFiles%` dropped) and name indicators, each with its set.
    private static let published: (paths: [(path: String, set: String)], names: [String: String]) = {
        var paths: [(String, String)] = [], names: [String: String] = [:]
        for set in BuiltinIndicatorSets.load().sets {
            for i in set.indicators {
                switch i.type {
                case .path where !i.isDirectory && isPage(i.normalized): paths.append((i.normalized, set.name))
                case .name where isPage(i.normalized): names[i.normalized] = names[i.normalized] ?? set.name
                default: break
                }
            }
        }
        return (paths, names)
    }()

    private static func isPage(_ p: String) -> Bool { p.hasSuffix(".aspx") || p.hasSuffix(".ashx") || p.hasSuffix(".asmx") }

    /// What publishes `path` (a disk path, drive and all): `mstic-feed path`, `other-names file name`; nil when nothing does.
    /// A published path matches the end of the disk path (`C:\Program Files\Microsoft\…` holds `microsoft/…`).
    static func indicator(for path: String) -> String? {
        let p = IndicatorNormalizer.pathForm(path)
        if let hit = published.paths.first(where: { p == $0.path || p.hasSuffix($0.path.hasPrefix("/") ? $0.path : "/" + $0.path) }) {
            return "\(hit.set) path"
        }
        let name = String(p[(p.lastIndex(of: "/").map { p.index(after: $0) } ?? p.startIndex)...])
        return published.names[name].map { "\($0) file name" }
    }
}

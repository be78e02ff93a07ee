/// Web-shell paths and file names the built-in indicator sets publish. A page in a web-shell location is a
/// likely shell; one that also bears a published path or name is a known one, so its finding is critical and
/// says which set names it (the report then calls the server compromised, not attacked).
enum PublishedWebShells {
    /// Path indicators as `grep-ioc` keys them on disk (`IOCPatterns.pathKeys`: from `/frontend/httpproxy/` or
    /// `/inetpub/wwwroot/` on, so `D:\Exchange\V15\FrontEnd\…` matches as `C:\Program Files\…` does) and name
    /// indicators, each with its set.
    private static let published: (paths: [(key: String, set: String)], names: [String: String]) = {
        var paths: [(String, String)] = [], names: [String: String] = [:]
        for set in BuiltinIndicatorSets.load().sets {
            for i in set.indicators {
                switch i.type {
                case .path where !i.isDirectory && isPage(i.normalized): paths.append((IOCPatterns.pathKeys(i.normalized).disk, set.name))
                case .name where isPage(i.normalized): names[i.normalized] = names[i.normalized] ?? set.name
                default: break
                }
            }
        }
        return (paths, names)
    }()

    private static func isPage(_ p: String) -> Bool { p.hasSuffix(".aspx") || p.hasSuffix(".ashx") || p.hasSuffix(".asmx") }

    /// What publishes `path` (a disk path, drive and all): `path in indicator set mstic-feed`, `file name in indicator set
    /// other-names` (the set as `ioc sets` names it with its source, not only its id); nil when nothing does.
    /// A published path's key ends the disk path, as a `grep-ioc` hit on a URL stem must.
    static func indicator(for path: String) -> String? {
        let p = IndicatorNormalizer.pathForm(path)
        if let hit = published.paths.first(where: { p.hasSuffix($0.key) }) {
            return "path in indicator set \(hit.set)"
        }
        let name = String(p[(p.lastIndex(of: "/").map { p.index(after: $0) } ?? p.startIndex)...])
        return published.names[name].map { "file name in indicator set \($0)" }
    }
}

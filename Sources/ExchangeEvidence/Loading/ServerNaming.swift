import Foundation

/// Decides which server a collected file belongs to from the layout it was collected in.
///
/// Layouts seen in practice: one folder per server holding a mirror of the server's paths
/// (`EX01/Program Files/Microsoft/Exchange Server/V15/Logging/...`), KAPE-style trees with a drive folder
/// (`EX01/C/inetpub/logs/...`, any drive: `EX01/F/Exchange Server/...`), Velociraptor collections
/// (`EX01/uploads/auto/C%3A/...`, `uploads/ntfs/%5C%5C.%5CC%3A/...`), hand-made folders (`EX01/IIS Logs/W3SVC1/...`),
/// and sets whose root is the server itself. The nearest folder above the first Windows path component that can
/// be a host name names the server (drives, collectors' own folders and names with spaces or `%` cannot); when
/// there is none, the logs' own `ServerHostName`, `ServerName` or `s-computername` decide.
enum ServerNaming {
    /// Folder names that start a mirrored Windows path (lower-case); drives (`isDrive`) do too.
    static let pathMarkers: Set<String> = [
        "program files", "programdata", "inetpub", "windows", "exchange server", "v15",
        "logging", "httpproxy", "logfiles", "w3svc1", "w3svc2", "ecp", "oabgeneratorlog", "frontend", "clientaccess",
        "winevt", "logs", "eventlogs", "evtx", "microsoft", "system32", "users", "temp", "listings", "listing",
        // Hand-made collections' folders for a kind of log (`EX11/IISLogs/W3SVC1/…`): no host is called so.
        "iis", "iislogs", "iis_logs", "exchangelogs", "exchange_logs", "httpproxylogs",
    ]

    /// Folders collectors put between a host and its drives (Velociraptor's `uploads/auto`, `uploads/ntfs`).
    static let collectorFolders: Set<String> = ["uploads", "auto", "ntfs", "lazy_ntfs", "mft", "file"]

    /// A drive as collectors write it: `C`, `C$`, `C:`, Velociraptor's `C%3A` and `%5C%5C.%5CC%3A` (`\\.\C:`).
    static func isDrive(_ lower: String) -> Bool {
        var s = Substring(lower)
        if s.hasPrefix("%5c%5c.%5c") { s = s.dropFirst(10) }
        guard let first = s.first, first.isASCII, first.isLetter else { return false }
        let rest = s.dropFirst()
        return rest.isEmpty || rest == "$" || rest == ":" || rest == "%3a"
    }

    /// Folders that begin a server's own tree as collectors mirror it, as opposed to folders named for a kind of log.
    static let windowsRoots: Set<String> = ["program files", "programdata", "inetpub", "windows", "exchange server", "v15", "logging"]

    /// Whether folder `i` of `parts` begins a server's mirrored tree: a Windows root, or a drive holding Windows' folders.
    static func startsWindowsPath(_ parts: [String], _ i: Int) -> Bool {
        windowsRoots.contains(parts[i].lowercased()) || isDrive(parts, i)
    }

    static func isMarker(_ name: String) -> Bool {
        let lower = name.lowercased()
        return pathMarkers.contains(lower) || isDrive(lower)
    }

    /// Whether folder `i` of `dirs` is a marker where it stands: a one-letter folder is a drive only with a
    /// Windows folder below it (`EX01/C/inetpub`), not in `/mnt/c/cases/ex01` (WSL's drives, a case folder `x`),
    /// where it named the folder above it as the server (reviewer).
    static func isMarker(_ dirs: [String], _ i: Int) -> Bool {
        pathMarkers.contains(dirs[i].lowercased()) || isDrive(dirs, i)
    }

    /// Whether folder `i` of `dirs` is a drive: a drive's name with one of Windows' own folders below it.
    static func isDrive(_ dirs: [String], _ i: Int) -> Bool {
        isDrive(dirs[i].lowercased()) && i + 1 < dirs.count && driveFolders.contains(dirs[i + 1].lowercased())
    }

    /// Folders a drive of a collected server holds: Windows' own, not a case's sorting (`acme/d/iis`, `z/logs`; reviewer).
    static let driveFolders = windowsRoots.union(["users", "microsoft", "$extend", "$recycle.bin", "system volume information"])

    /// Whether a folder can be named after a host: a NetBIOS or DNS name (letters, digits, `-`, `_`, `.`), not a
    /// drive and not a collector's own folder. `Exchange Logs`, `C%3A` and `F` cannot.
    static func canBeHost(_ name: String) -> Bool {
        let lower = name.lowercased()
        guard !isDrive(lower), !collectorFolders.contains(lower), !name.isEmpty else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// (group key, server name if the path names one) for a relative path.
    ///
    /// A zip found inside the evidence is a container, never a server: naming starts inside it, and its files
    /// form a group of their own (named by the logs when the zip holds no server folder).
    static func fromPath(_ path: String) -> (group: String, name: String?) {
        let (archive, parts) = insideArchive(path)
        func group(_ g: String) -> String { archive.isEmpty ? g : g.isEmpty ? archive : archive + "/" + g }
        guard parts.count >= 2 else { return (group(""), nil) }
        let dirs = Array(parts.dropLast())
        if let i = dirs.indices.first(where: { isMarker(dirs, $0) }) {
            // Up from the marker past drives, collectors' folders and folders no host can be named.
            guard let h = parts[..<i].lastIndex(where: canBeHost) else {
                // A folder no host can be named for its control characters is still a folder of its own: its logs
                // are `unknown`'s, not filed with the set's other server (reviewer).
                if let u = parts[..<i].lastIndex(where: ControlCharacters.hasUnsafe) { return (group(parts[0...u].joined(separator: "/")), "unknown") }
                return (group(""), nil)
            }
            return (group(parts[0...h].joined(separator: "/")), collectionHost(parts[h]) ?? parts[h])
        }
        // No Windows path inside: a folder per server holding log files directly (unless the root itself
        // turns out to be the server: see `EvidenceLoader`). A folder name with control or invisible characters
        // names no host (reviewer: `EX\x1b[2J06` became a server, and a file name of its exports).
        if ControlCharacters.hasUnsafe(parts[0]) { return (group(parts[0]), "unknown") }
        return (group(parts[0]), collectionHost(parts[0]) ?? parts[0])
    }

    /// The folders from a server folder down to a load's root, when the root lies inside a server's mirrored tree
    /// (`ev/EX01/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log`, `ev/EX01/Logging/HttpProxy/Ecp`): `EX01/inetpub/logs/
    /// LogFiles/W3SVC1`. Files whose own relative path names no server take it as their prefix, so a file loaded
    /// alone is named, channelled and recognised again as it is when its server's folder is loaded (reviewer: it
    /// became `unknown`, and loading the folder afterwards counted one machine as two compromised servers).
    /// The host is the folder just above the last folder that starts a mirrored Windows path (a drive, `inetpub`,
    /// `Program Files`, Exchange's `Logging`) and follows one a host can be named for. Folders hand-made collections
    /// name for a kind of log (`evtx`, `ecp`, `logs`) do not count: `cases/acme/ecp` is no server's tree.
    static func context(ofRoot absolute: String, isFile: Bool) -> String? {
        var parts = URL(fileURLWithPath: absolute).standardizedFileURL.path.split(separator: "/").map(String.init)
        if isFile { parts.removeLast() }
        guard let marker = parts.indices.dropFirst().last(where: {
            startsWindowsPath(parts, $0) && !isMarker(parts[$0 - 1]) && canBeHost(parts[$0 - 1])
        }) else { return nil }
        return parts[(marker - 1)...].joined(separator: "/")
    }

    /// The path up to and including the last `.zip` folder, and the components inside it.
    static func insideArchive(_ path: String) -> (archive: String, parts: [String]) {
        let parts = path.split(separator: "/").map(String.init)
        guard let z = parts.dropLast().lastIndex(where: { $0.lowercased().hasSuffix(".zip") }) else { return ("", parts) }
        return (parts[0...z].joined(separator: "/"), Array(parts[(z + 1)...]))
    }

    /// `fromPath` and `isGuess` for the files one load worker reads. They come in path order, so a file is usually
    /// in the previous file's folder, which has the same answers (splitting and lower-casing every path cost ~2% of a
    /// load, and asking `isGuess` again in the serial naming after the merge cost as much).
    struct Memo {
        private var folder: Substring?
        private var answer: (group: String, name: String?, isGuess: Bool) = ("", nil, false)

        mutating func fromPath(_ path: String) -> (group: String, name: String?, isGuess: Bool) {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else {
                let (group, name) = ServerNaming.fromPath(path)
                return (group, name, ServerNaming.isGuess(path))
            }
            let dir = path[..<slash]
            if let folder, folder == dir { return answer }
            let (group, name) = ServerNaming.fromPath(path)
            answer = (group, name, ServerNaming.isGuess(path))
            folder = dir
            return answer
        }
    }

    /// True when `fromPath` named the server only from a top folder with no Windows path below it.
    static func isGuess(_ path: String) -> Bool {
        let (archive, parts) = insideArchive(path)
        let dirs = Array(parts.dropLast())
        return archive.isEmpty && parts.count >= 2 && !dirs.indices.contains { isMarker(dirs, $0) }
    }

    /// The server a collection zip's name gives its files when neither a folder nor the logs name one: a CyLR or
    /// KAPE zip per host (`EX07.zip`), or Velociraptor's `Collection-EX06.contoso.local-2021-03-10T10_10_10Z.zip`
    /// (the host, short). `group`: the zip's path in the set, or the name of a set loaded from a Velociraptor zip.
    static func fromArchive(_ group: String) -> String? {
        var stem = group.pathFileName
        if stem.lowercased().hasSuffix(".zip") { stem = stem.dropLast(4) } else if group.contains("/") || !stem.hasPrefix("Collection-") { return nil }
        guard stem.hasPrefix("Collection-") else { return stem.isEmpty || !canBeHost(String(stem)) ? nil : String(stem) }
        return collectionHost(String(stem))
    }

    /// The host (short) of a Velociraptor collection's name, `Collection-EX06.contoso.local-2021-03-10T10_10_10Z`,
    /// whether zipped or unpacked into a folder of that name (so both load as one server), or nil for other names.
    static func collectionHost(_ name: String) -> String? {
        guard name.hasPrefix("Collection-") else { return nil }
        var host = Substring(name).dropFirst("Collection-".count)
        if let t = host.range(of: #"-\d{4}-\d{2}-\d{2}T"#, options: .regularExpression) { host = host[..<t.lowerBound] }
        let short = host.prefix { $0 != "." }
        return short.isEmpty || !canBeHost(String(short)) ? nil : String(short)
    }
}

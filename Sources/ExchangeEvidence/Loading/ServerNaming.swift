/// Decides which server a collected file belongs to from the layout it was collected in.
///
/// Layouts seen in practice: one folder per server holding a mirror of the server's paths
/// (`EX01/Program Files/Microsoft/Exchange Server/V15/Logging/...`), KAPE-style trees with a drive folder
/// (`EX01/C/inetpub/logs/...`), and sets whose root is the server itself. The folder just above the first
/// Windows path component names the server; when there is none, the logs' own `ServerHostName`,
/// `ServerName` or `s-computername` decide.
enum ServerNaming {
    /// Folder names that start a mirrored Windows path (lower-case).
    static let pathMarkers: Set<String> = [
        "c", "c$", "d", "d$", "e", "program files", "programdata", "inetpub", "windows", "exchange server", "v15",
        "logging", "httpproxy", "logfiles", "w3svc1", "w3svc2", "ecp", "oabgeneratorlog", "frontend", "clientaccess",
        "winevt", "logs", "eventlogs", "evtx", "microsoft", "system32", "users", "temp", "listings",
    ]

    /// (group key, server name if the path names one) for a relative path.
    ///
    /// A zip found inside the evidence is a container, never a server: naming starts inside it, and its files
    /// form a group of their own (named by the logs when the zip holds no server folder).
    static func fromPath(_ path: String) -> (group: String, name: String?) {
        let (archive, parts) = insideArchive(path)
        func group(_ g: String) -> String { archive.isEmpty ? g : g.isEmpty ? archive : archive + "/" + g }
        guard parts.count >= 2 else { return (group(""), nil) }
        let dirs = parts.dropLast()
        if let i = dirs.firstIndex(where: { pathMarkers.contains($0.lowercased()) }) {
            if i == 0 { return (group(""), nil) }
            let name = parts[i - 1]
            return (group(parts[0...(i - 1)].joined(separator: "/")), name)
        }
        // No Windows path inside: a folder per server holding log files directly (unless the root itself
        // turns out to be the server: see `EvidenceLoader`).
        return (group(parts[0]), parts[0])
    }

    /// The path up to and including the last `.zip` folder, and the components inside it.
    static func insideArchive(_ path: String) -> (archive: String, parts: [String]) {
        let parts = path.split(separator: "/").map(String.init)
        guard let z = parts.dropLast().lastIndex(where: { $0.lowercased().hasSuffix(".zip") }) else { return ("", parts) }
        return (parts[0...z].joined(separator: "/"), Array(parts[(z + 1)...]))
    }

    /// `fromPath` for the files one load worker reads. They come in path order, so a file is usually in the
    /// previous file's folder, which has the same answer (splitting and lower-casing every path cost ~2% of a load).
    struct Memo {
        private var folder: Substring?
        private var answer: (group: String, name: String?) = ("", nil)

        mutating func fromPath(_ path: String) -> (group: String, name: String?) {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return ServerNaming.fromPath(path) }
            let dir = path[..<slash]
            if let folder, folder == dir { return answer }
            answer = ServerNaming.fromPath(path)
            folder = dir
            return answer
        }
    }

    /// True when `fromPath` named the server only from a top folder with no Windows path below it.
    static func isGuess(_ path: String) -> Bool {
        let (archive, parts) = insideArchive(path)
        return archive.isEmpty && parts.count >= 2 && !parts.dropLast().contains { pathMarkers.contains($0.lowercased()) }
    }
}

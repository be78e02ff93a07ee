import ExchangeEvidence

/// The log files Test-ProxyLogon names in `SERVER-Cve-2021-27065.log` and `SERVER-Cve-2021-26858.log`. The script
/// writes only the paths of the logs in which its own check matched (not the lines), so a finding on them rests on
/// the script's word: the rules that read them say so, and step aside where exhunt read the line itself.
enum FlaggedLogFiles {
    /// One path of such a list: the event it is, the path as written and its file name.
    struct Entry {
        let event: EventID
        let path: String
        let name: String
    }

    /// The non-empty paths of the script's lists whose file name ends in `suffix` (`-cve-2021-27065.log`, lower case).
    static func listed(in store: EventStore, suffix: String) -> [Entry] {
        var out: [Entry] = []
        for (file, range) in store.eventRanges(kinds: [.flaggedLogFile])
        where String(store.files[file].path.pathFileName).lowercased().hasSuffix(suffix) {
            for id in range {
                let path = store.value(.urlStem, id)
                guard !path.isEmpty else { continue }
                let name = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? path
                out.append(Entry(event: id, path: path, name: name))
            }
        }
        return out
    }

    /// The loaded log of the entry's server that has the flagged file's name (any case): the script's collection
    /// names it by its path on the server, a collection of the logs keeps the name.
    static func loaded(_ entry: Entry, kinds: [SourceKind], in store: EventStore) -> EvidenceFile? {
        let server = store.server(of: entry.event).lowercased(), name = entry.name.lowercased()
        return store.files.first { f in
            kinds.contains(f.kind) && f.server.lowercased() == server && String(f.path.pathFileName).lowercased() == name
        }
    }

    /// Whether `finding` cites an event of `file`: the direct rule found the line the script flagged.
    static func cites(_ finding: Finding, _ file: EvidenceFile, in store: EventStore) -> Bool {
        finding.events.contains { store.file(of: $0) === file }
    }
}

import ExchangeEvidence

/// Matching in fields the store does not intern: digests, file paths and forwarded-for lists that file
/// listings and event-log records carry under their own column names (`SHA256`, Sysmon `Hashes`,
/// `TargetFilename`, `FullName`, `X-Forwarded-For`).
///
/// This is the hook for readers added later: a reader only has to name its columns; any column whose
/// name `group(forColumn:)` recognises is searched. Values are split from the raw line on demand, only
/// for events whose schema has such a column (key=value records name their fields per line, so each of
/// those lines is split), and each distinct value is run through the automaton once.
enum IOCNamedFields {
    /// The group a column name belongs to, or nil when it is not searched by name.
    static func group(forColumn name: String) -> FieldGroup? {
        var n = name.lowercased()
        if n.hasPrefix("cs(") && n.hasSuffix(")") { n = String(n.dropFirst(3).dropLast()) }
        if n.contains("sha256") || n.contains("sha-256") || n.contains("sha1") || n.contains("md5") || n == "hash"
            || n == "hashes" || n.hasSuffix("hash") {
            return .hash
        }
        switch n {
        case "x-forwarded-for", "x_forwarded_for", "forwardedfor", "forwarded-for", "ipaddress", "sourceip",
             "destinationip", "sourceaddress", "destinationaddress", "sourcenetworkaddress":
            return .ip
        case "targetfilename", "image", "parentimage", "imageloaded", "path", "fullname", "fullpath", "filepath",
             "filename", "file", "sourcefilename", "targetpath", "objectname":
            return .file
        default:
            return nil
        }
    }

    static func match(_ m: IOCMatcher, _ store: EventStore, serverOK: [Bool], filter: IOCFilter, into hits: inout [IOCHit]) {
        // Per schema: the searched columns, or nil for key=value records (names vary by line).
        var plan: [[(Int, FieldGroup)]?] = []
        var any = false
        for s in store.schemas {
            switch s.format {
            case .keyValue:
                plan.append(nil)
                any = true
            case .plain:
                plan.append([])
            case .csv, .w3c:
                let cols = s.names.enumerated().compactMap { i, name in group(forColumn: name).map { (i, $0) } }
                plan.append(cols)
                any = any || !cols.isEmpty
            }
        }
        guard any else { return }
        var memo: [FieldGroup: [String: [Int32]]] = [:]
        for e in 0..<store.count {
            let fi = Int(store.fileIndex[e])
            let columns = plan[Int(store.schema[e])]
            if let c = columns, c.isEmpty { continue }
            guard serverOK[fi] else { continue }
            let fields = store.fields(of: e)
            var wanted: [(String, String, FieldGroup)] = []
            if let columns {
                for (i, g) in columns where i < fields.count { wanted.append((fields[i].name, fields[i].value, g)) }
            } else {
                for f in fields { if let g = group(forColumn: f.name) { wanted.append((f.name, f.value, g)) } }
            }
            for (name, value, g) in wanted where !value.isEmpty {
                let found: [Int32]
                if let cached = memo[g]?[value] { found = cached } else {
                    var v = value
                    found = v.withUTF8 { m.candidates(in: UnsafeRawBufferPointer($0), group: g) }
                    memo[g, default: [:]][value] = found
                }
                guard !found.isEmpty, filter.acceptsTime(store.time[e]) else { continue }
                for i in found {
                    hits.append(IOCHit(indicator: Int(i), event: e, file: fi, line: Int(store.lineNumber[e]), field: name,
                                       time: store.time[e]))
                }
            }
        }
    }
}

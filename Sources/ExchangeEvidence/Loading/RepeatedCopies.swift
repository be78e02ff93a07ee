/// Files whose rows are copies of lines of logs loaded too, counted once, in the logs:
/// - Test-ProxyLogon's CSVs hold rows it selected from HttpProxy logs, and responders keep both (reviewer: "11 SSRF
///   requests" where there were 6, and indicator hits counted twice);
/// - a SIEM's export of IIS or HttpProxy logs (Sentinel, Filebeat, Splunk) loaded beside the logs themselves (reviewer:
///   a medium finding turned high, and a critical chain appeared, from the same requests counted twice).
///
/// A copy whose every row is a line of the same server's loaded logs (the same time, client, URL, method and status,
/// and RequestId where the log has one) is filed as a repeat (`flagged-request` for a selection, `repeated-rows` for
/// an export), which rules and `grep-ioc` leave out, and said on the file. A copy with rows the logs lack (logs
/// collected in part) stays as it is: its rows are the only copy of some requests, and the overlap counts twice.
enum RepeatedCopies {
    /// The fact a reader sets on a file whose rows are a SIEM's export of web log lines (its name: `sentinel`, `ecs`,
    /// `splunk`).
    static let exportedFact = "rows.exported-by"

    /// Re-files the store's copies that its whole logs repeat; returns how many.
    @discardableResult
    static func file(in store: EventStore) -> Int {
        let copies = store.files.indices.filter { i in
            let f = store.files[i]
            return (f.kind == .httpProxy || f.kind == .iis) && f.eventCount > 0 && (f.selectedBy != nil || f.facts[exportedFact] != nil)
        }
        guard !copies.isEmpty else { return 0 }
        var refiled = 0
        // The logs are read once per server and kind, for all the copies of it: one pass over their time column, keeping
        // the events at the times of the copies' rows.
        let groups = Dictionary(grouping: copies) { EvidenceLoader.hostKey(store.files[$0].server) + "\u{0}" + store.files[$0].kind.rawValue }
        for (_, group) in groups.sorted(by: { $0.key < $1.key }) {
            let first = store.files[group[0]]
            let times = Set(group.flatMap { store.events(ofFile: $0).map { store.time[$0] } })
            var candidates: [Int64: [EventID]] = [:]
            for (i, f) in store.files.enumerated() where f.kind == first.kind && f.selectedBy == nil && f.facts[exportedFact] == nil
                && EvidenceLoader.hostKey(f.server) == EvidenceLoader.hostKey(first.server) {
                for e in store.events(ofFile: i) where times.contains(store.time[e]) { candidates[store.time[e], default: []].append(e) }
            }
            refiled += group.filter { refile(store.files[$0], rows: store.events(ofFile: $0), candidates: candidates, in: store) }.count
        }
        return refiled
    }

    /// Re-files `copy` when each of its rows is one of `candidates` (the logs' events at its rows' times); false when not.
    private static func refile(_ copy: EvidenceFile, rows: Range<EventID>, candidates: [Int64: [EventID]], in store: EventStore) -> Bool {
        guard !candidates.isEmpty else { return false }
        let repeated = rows.allSatisfy { row in
            (candidates[store.time[row]] ?? []).contains { line in
                [InternedField.clientIP, .urlStem, .method, .status].allSatisfy { store.value($0, line) == store.value($0, row) }
                    && store.field("RequestId", of: line) == store.field("RequestId", of: row)
            }
        }
        guard repeated else { return false }
        let what = copy.kind == .iis ? "IIS logs" : "HttpProxy logs"
        copy.kind = copy.selectedBy != nil ? .flaggedRequest : .repeatedRows
        copy.problems.add(LoadProblem("its \(rows.count) row\(rows.count == 1 ? " is a line" : "s are lines") of \(copy.server)'s \(what), "
                                      + "also loaded (the same time, client, URL, method and status): counted there, not twice"))
        return true
    }
}

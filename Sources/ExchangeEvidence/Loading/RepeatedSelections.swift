/// Test-ProxyLogon's CSVs hold rows it selected from HttpProxy logs. Collected beside those logs (responders keep
/// both), each row is a line of a log loaded too: counted in both, one SSRF request was two (reviewer: "11 SSRF
/// requests" where there were 6, and indicator hits counted twice). A selection whose every row is a line of the
/// same server's loaded logs (the same time, RequestId, client and URL) is filed as a repeat
/// (`SourceKind.flaggedRequest`, which rules and `grep-ioc` leave out, as they do ResetVDir's rows), and said
/// on the file. A selection with rows the logs lack (logs collected in part) stays as it is: its rows are the only
/// copy of some requests.
enum RepeatedSelections {
    /// Re-files the store's Test-ProxyLogon HttpProxy selections that its full logs repeat; returns how many.
    @discardableResult
    static func file(in store: EventStore) -> Int {
        let selections = store.files.indices.filter {
            store.files[$0].kind == .httpProxy && store.files[$0].selectedBy != nil && store.files[$0].eventCount > 0
        }
        guard !selections.isEmpty else { return 0 }
        var refiled = 0
        for s in selections {
            let selection = store.files[s], rows = store.events(ofFile: s)
            let times = Set(rows.map { store.time[$0] })
            // The same server's whole logs, by the times of the selection's rows: one pass over their time column.
            var candidates: [Int64: [EventID]] = [:]
            for (i, f) in store.files.enumerated() where i != s && f.kind == .httpProxy && f.selectedBy == nil
                && EvidenceLoader.hostKey(f.server) == EvidenceLoader.hostKey(selection.server) {
                for e in store.events(ofFile: i) where times.contains(store.time[e]) { candidates[store.time[e], default: []].append(e) }
            }
            guard !candidates.isEmpty else { continue }
            let repeated = rows.allSatisfy { row in
                (candidates[store.time[row]] ?? []).contains { line in
                    store.value(.clientIP, line) == store.value(.clientIP, row) && store.value(.urlStem, line) == store.value(.urlStem, row)
                        && store.field("RequestId", of: line) == store.field("RequestId", of: row)
                }
            }
            guard repeated else { continue }
            selection.kind = .flaggedRequest
            selection.problems.add(LoadProblem("its \(rows.count) row\(rows.count == 1 ? " is a line" : "s are lines") of \(selection.server)'s HttpProxy logs, "
                                               + "also loaded (the same time, RequestId, client and URL): counted there, not twice"))
            refiled += 1
        }
        return refiled
    }
}

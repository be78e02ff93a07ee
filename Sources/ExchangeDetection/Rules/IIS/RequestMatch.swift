import ExchangeEvidence

/// Web-request matching shared by the IIS rules: tests run once per distinct URL stem and method, then the
/// columns are scanned as integers; the query (unique per request, so not interned) is read only for the
/// few events left.
enum RequestMatch {
    /// Events of `kinds` whose stem passes `stem`, whose method is POST when `postOnly`, and whose query
    /// passes `query` when given.
    static func events(_ store: EventStore, kinds: [SourceKind] = [.iis], postOnly: Bool,
                       stem: (UnsafeRawBufferPointer) -> Bool,
                       query: ((UnsafeRawBufferPointer) -> Bool)? = nil) -> [EventID] {
        var hits = store.events(where: .urlStem, kinds: kinds, stem)
        if postOnly {
            let post = "post".lowerBytes
            hits = store.filter(hits, .method) { $0.count == post.count && ByteMatch.hasPrefix(post, $0) }
        }
        if let query {
            // Read in place from the line (no String per request: nearly every request is read when a rule's stems
            // are common ones, `iis.webshell-command`'s script pages).
            hits = hits.filter { id in store.withURLQuery(id, query) }
        }
        return hits
    }

    /// `POST /ecp/y.js ×6 from 130.255.189.21 (status 200×6; UA python-requests/2.25.1)`
    static func describe(_ ids: [EventID], store: EventStore) -> String {
        let ip = Grouping.distinct(ids, .clientIP, in: store)
        return "\(Grouping.tally(ids, .method, in: store, limit: 2)) \(Grouping.tally(ids, .urlStem, in: store))"
            + " from \(ip.isEmpty ? "unknown IP" : ip.prefix(4).joined(separator: ", ") + (ip.count > 4 ? " +\(ip.count - 4) more" : ""))"
            + "; status \(Grouping.tally(ids, .status, in: store)); UA \(Grouping.tally(ids, .userAgent, in: store, limit: 2))"
    }

    /// Severity by outcome: a 2xx answer means the request did what it was sent for.
    static func succeeded(_ ids: [EventID], store: EventStore) -> Bool {
        ids.contains { store.value(.status, $0).hasPrefix("2") }
    }

    /// What a request to a page got: answered (2xx: the page is there and ran), no status in the log (a line cut
    /// off while the log was written: it may have been answered), or refused (any other status: not there).
    enum Outcome: Comparable {
        case answered, unlogged, refused

        /// For a request to a planted page: its use (critical), maybe its use (high), a probe (medium).
        var severity: Severity { self == .answered ? .critical : self == .unlogged ? .high : .medium }
    }

    /// `ids` split by outcome, answered first, leaving out outcomes none has: a web shell's answered requests
    /// are its use, and a scanner's 302 for the same page must not make that scanner one of its users.
    static func byOutcome(_ ids: [EventID], store: EventStore) -> [(outcome: Outcome, events: [EventID])] {
        let split = Dictionary(grouping: ids) { e -> Outcome in
            let s = store.value(.status, e)
            return s.hasPrefix("2") ? .answered : s.isEmpty || s == "-" ? .unlogged : .refused
        }
        return split.keys.sorted().map { ($0, split[$0]!) }
    }
}

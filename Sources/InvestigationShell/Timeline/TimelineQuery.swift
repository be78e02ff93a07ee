import ExchangeDetection
import ExchangeEvidence
import Foundation

/// A timeline filter resolved against the loaded events: times turned into a range of the time order,
/// names and addresses into interned ids and per-file flags. Enumerating walks the smallest candidate
/// list (a time range, one server's, one source's or one IP's positions, or the marked or cited events)
/// and checks the other filters on each candidate, so the first page of a selective filter costs little
/// even on ten million events.
///
/// Public so benchmarks can time filtering without rendering (`scripts/bench`).
public struct TimelineQuery {
    public let index: TimelineIndex
    let store: EventStore
    /// Time bounds in ms (`from` inclusive, `to` exclusive), when given.
    public let from: Int64?
    public let to: Int64?
    let range: Range<Int>
    let serverOK: [Bool]?
    let sourceOK: [Bool]?
    let ipIDs: Set<UInt32>?
    let internedFields: [(column: Int, ids: Set<UInt32>)]
    let otherFields: [(name: String, value: String)]
    let needles: [[UInt8]]
    /// The longest `--contains` text when the candidates are many: checked line by line for the first
    /// `scanBudget` candidates (a common text fills the page there), then by one scan of the file bytes.
    let scan: ContainsScan.Deferred?
    let marks: [EventID: CaseMark]
    let markedOnly: Bool
    let markLabels: Set<String>
    let cited: Set<EventID>?
    let candidates: Candidates
    // The store's columns, held directly so the per-event checks do no property calls.
    let times: [Int64]
    let fileIndex: [UInt32]
    let columns: [[UInt32]]

    enum Candidates {
        case range(Range<Int>)
        case positions(ArraySlice<Int32>)
        case events([EventID])

        var count: Int {
            switch self {
            case .range(let r): r.count
            case .positions(let p): p.count
            case .events(let e): e.count
            }
        }
    }

    /// Resolves `filter` for the session's loaded events, its marks and its findings.
    public init(_ filter: TimelineFilter, session: Session, command: String = "timeline") throws {
        let index = TimelineIndex.current(for: session)
        let store = session.store
        self.index = index
        self.store = store
        times = store.time
        fileIndex = store.fileIndex
        columns = store.values
        let zone = session.settings.timezone
        // `-2h` counts back from the newest event of the servers asked for: another server's later logs must
        // not push the window past all of this one's events.
        let serverKeys = Set(try ServerOption.resolve(filter.servers, in: store, command: command).compactMap { index.serverKeys[$0.lowercased()] })
        var newest = index.newest
        if !filter.servers.isEmpty {
            let last = zip(store.files, index.serverKeyOfFile).filter { serverKeys.contains($0.1) && $0.0.lastTime != Timestamp.unknown }
                .map(\.0.lastTime).max()
            if let last { newest = last }
        }

        var lo: Int64?, hi: Int64?
        if let f = filter.from {
            guard let span = TimeSpec.bound(f, zone: zone, newest: newest) else { throw Self.badTime(command, "from", f) }
            lo = span.start
        }
        if let t = filter.to {
            guard let span = TimeSpec.bound(t, zone: zone, newest: newest) else { throw Self.badTime(command, "to", t) }
            hi = span.end
        }
        if let lo, let hi, let f = filter.from, let t = filter.to, hi <= lo {
            throw ShellError("\(command): --from \(TerminalText.escape(f)) is after --to \(TerminalText.escape(t)): the range is reversed; swap them")
        }
        if let a = filter.around {
            guard a < store.count else {
                throw ShellError.noEvent("\(a)", command: command + ": --around", count: store.count)
            }
            let t = store.time[a]
            guard t != Timestamp.unknown else { throw ShellError("\(command): --around: event \(a) has no time") }
            lo = max(lo ?? Int64.min, t - filter.window)
            hi = min(hi ?? Int64.max, t + filter.window + 1)
        }
        from = lo
        to = hi
        let start = lo.map { index.position(atOrAfter: $0) } ?? 0
        let end = hi.map { index.position(atOrAfter: $0) } ?? index.order.count
        let range = start..<max(start, end)
        self.range = range

        var best = Candidates.range(range)
        func consider(_ c: Candidates) { if c.count < best.count { best = c } }

        // Servers and sources: per-file flags; one name also gives a candidate list.
        if filter.servers.isEmpty { serverOK = nil } else {
            serverOK = index.serverKeyOfFile.map { serverKeys.contains($0) }
            if filter.servers.count == 1 {
                consider(.positions(serverKeys.first.map { index.servers().slice($0, within: range) } ?? []))
            }
        }
        if filter.sources.isEmpty { sourceOK = nil } else {
            let wanted = filter.sources.map { $0.lowercased() }
            let kindKeys = Set(wanted.compactMap { index.kindKeys[$0] })
            let sourceKeys = Set(wanted.compactMap { index.sourceKeys[$0] })
            if kindKeys.isEmpty && sourceKeys.isEmpty && store.count > 0 {
                throw ShellError("\(command): no source \(filter.sources.map { "'\(TerminalText.escape($0))'" }.joined(separator: ", ")) is loaded "
                                 + "(kinds: \(Set(store.files.map(\.kind.rawValue)).sorted().joined(separator: ", ")); or KIND/CHANNEL)")
            }
            let kindOf = index.kindKeyOfFile, sourceOf = index.sourceKeyOfFile
            sourceOK = store.files.indices.map { kindKeys.contains(kindOf[$0]) || sourceKeys.contains(sourceOf[$0]) }
            if wanted.count == 1 {
                if let k = kindKeys.first { consider(.positions(index.kinds().slice(k, within: range))) }
                else if let k = sourceKeys.first { consider(.positions(index.sources().slice(k, within: range))) }
                else { consider(.events([])) }
            }
        }
        if filter.ips.isEmpty { ipIDs = nil } else {
            var ids = Set<UInt32>()
            var exactOnly = true
            for ip in filter.ips {
                if let net = IPMatch(ip) {
                    exactOnly = false
                    // Only values that occur as a client IP are parsed (thousands, not millions).
                    let lists = index.clientIPs()
                    for id in store.pool.ids where lists.count(Int(id)) > 0 && store.pool.withBytes(id, { net.matches($0) }) {
                        ids.insert(id)
                    }
                } else if let id = store.pool.lookup(ip), id != 0 {
                    ids.insert(id)
                }
            }
            ipIDs = ids
            if ids.isEmpty { consider(.events([])) }
            else if exactOnly && ids.count == 1 { consider(.positions(index.clientIPs().slice(Int(ids.first!), within: range))) }
        }

        var interned: [(Int, Set<UInt32>)] = []
        var other: [(String, String)] = []
        for (name, value) in filter.fields {
            if let field = InternedField.allCases.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
                let ids = Self.ids(equalTo: value, in: store.pool)
                interned.append((field.rawValue, ids))
                if ids.isEmpty { consider(.events([])) }
            } else {
                if store.count > 0 && name.lowercased() != "url_query" && !Self.fieldExists(name, in: store) {
                    throw ShellError("\(command): --field: no loaded event has a field '\(TerminalText.escape(name))' "
                                     + "(fields: \(Self.fieldNames(store).joined(separator: ", ")))")
                }
                other.append((name.lowercased() == "url_query" ? "url_query" : name, value.lowercased()))
            }
        }
        internedFields = interned
        otherFields = other

        marks = CaseState.of(session).resolvedMarks(for: store)
        markedOnly = filter.markedOnly
        markLabels = filter.markLabels
        if filter.markedOnly { consider(.events(store.sortedByTime(Array(marks.keys)))) }
        var citedSet: Set<EventID>?
        if filter.findingsOnly {
            let events = session.findingCitationsRunningHunt().citedEvents
            citedSet = Set(events)
            consider(.events(store.sortedByTime(Array(Set(events)))))
        }
        if !filter.findingIDs.isEmpty {
            let provider = session.findingCitationsRunningHunt()
            var events = Set<EventID>()
            for id in filter.findingIDs {
                guard let e = provider.events(ofFinding: id) else {
                    throw ShellError("\(command): no finding '\(TerminalText.escape(id))' (\(provider.findingIDs.isEmpty ? "the hunt found nothing" : "findings are F1–F\(provider.findingIDs.count)"))")
                }
                events.formUnion(e)
            }
            citedSet = citedSet.map { $0.intersection(events) } ?? events
            consider(.events(store.sortedByTime(Array(events))))
        }
        cited = citedSet
        var needles = filter.contains.map { Array($0.lowercased().utf8) }
        if needles.count > 1 { needles.sort { $0.count > $1.count } }      // the longest is usually the rarest
        if let first = needles.first, best.count > Self.scanBudget {
            scan = ContainsScan.Deferred(needle: first)
            needles.removeFirst()
        } else {
            scan = nil
        }
        self.needles = needles
        candidates = best
    }

    /// True when some loaded event has a field of this name: a column of a loaded schema, or a key of a
    /// rendered record (event data names vary per record, so their lines are searched until one has it).
    static func fieldExists(_ name: String, in store: EventStore) -> Bool {
        if store.schemas.contains(where: { $0.column(name) != nil }) { return true }
        let keyValue = Set(store.schemas.indices.filter { store.schemas[$0].format == .keyValue }.map { UInt16($0) })
        guard !keyValue.isEmpty else { return false }
        let key = Array((name.lowercased() + "=").utf8), tabbed = [UInt8(ascii: "\t")] + key
        for e in 0..<store.count where keyValue.contains(store.schema[e]) {
            let found = store.withRawLine(e) { line -> Bool in
                if line.count >= key.count && zip(line.prefix(key.count), key).allSatisfy({ lowerASCII($0) == $1 }) { return true }
                return contains(line, tabbed)
            }
            if found { return true }
        }
        return false
    }

    /// The modelled fields and the columns of the loaded schemas, for the message of an unknown `--field`.
    static func fieldNames(_ store: EventStore) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for n in InternedField.allCases.map(\.name) + ["url_query"] + store.schemas.flatMap(\.names) where seen.insert(n.lowercased()).inserted {
            out.append(n)
        }
        return out.count > 40 ? Array(out.prefix(40)) + ["… (\(out.count - 40) more; 'show EVENT_ID' lists an event's fields)"] : out
    }

    private static func badTime(_ command: String, _ option: String, _ value: String) -> ShellError {
        ShellError("\(command): --\(option): '\(TerminalText.escape(value))' is not a time "
                   + "(use 2021-03-03, '2021-03-03 06:00', 2021-03-03T06:49:42Z, or -2h before the newest event)")
    }

    /// Candidates visited line by line before `--contains` switches to scanning file bytes.
    static var scanBudget = 100_000

    /// Interned ids whose value equals `value` ignoring ASCII case: one pass over the distinct values.
    static func ids(equalTo value: String, in pool: ValuePool) -> Set<UInt32> {
        let want = Array(value.lowercased().utf8)
        var out = Set<UInt32>()
        if want.isEmpty { return out }
        for id in pool.ids {
            let same = pool.withBytes(id) { b -> Bool in
                guard b.count == want.count else { return false }
                for i in 0..<b.count where lowerASCII(b[i]) != want[i] { return false }
                return true
            }
            if same { out.insert(id) }
        }
        return out
    }

    @inline(__always)
    static func lowerASCII(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }

    /// Calls `body` with each matching event, oldest first, until it returns false or `limit` events
    /// were passed. Returns how many were passed.
    @discardableResult
    public func forEach(limit: Int = Int.max, _ body: (EventID) throws -> Bool) rethrows -> Int {
        var n = 0, visited = 0
        if limit <= 0 { return 0 }
        let order = index.order
        let serverOK = self.serverOK, sourceOK = self.sourceOK, store = self.store
        func visit(_ e: EventID) throws -> Bool {
            if let scan, scan.flags == nil {
                visited += 1
                if visited > Self.scanBudget {
                    scan.flags = ContainsScan.events(containing: scan.needle, in: store) { f in (serverOK?[f] ?? true) && (sourceOK?[f] ?? true) }
                }
            }
            guard matches(e) else { return true }
            n += 1
            return try body(e) && n < limit
        }
        switch candidates {
        case .range(let r):
            for p in r where try !visit(order[p]) { break }
        case .positions(let ps):
            for p in ps where try !visit(order[Int(p)]) { break }
        case .events(let es):
            for e in es where try !visit(e) { break }
        }
        return n
    }

    /// Every matching event, oldest first (at most `limit`).
    public func events(limit: Int = Int.max) -> [EventID] {
        var out: [EventID] = []
        forEach(limit: limit) { out.append($0); return true }
        return out
    }

    /// For exports that need a time (Timesketch, a data stream): at most `limit` events with a time, and the
    /// matching events without one, which they leave out. The limit counts what is written: events without a time
    /// sort first, and `--limit 5` took five of them and wrote nothing (reviewer).
    public func timedEvents(limit: Int = Int.max) -> (timed: [EventID], untimed: [EventID]) {
        var timed: [EventID] = [], untimed: [EventID] = []
        guard limit > 0 else { return ([], []) }
        forEach { e in
            if times[e] == Timestamp.unknown { untimed.append(e) } else { timed.append(e) }
            return timed.count < limit
        }
        return (timed, untimed)
    }

    /// True when event `e` passes every filter.
    public func matches(_ e: EventID) -> Bool {
        if from != nil || to != nil {
            let t = times[e]
            if let from, t < from { return false }
            if let to, t >= to { return false }
        }
        if let serverOK, !serverOK[Int(fileIndex[e])] { return false }
        if let sourceOK, !sourceOK[Int(fileIndex[e])] { return false }
        if let ipIDs, !ipIDs.contains(columns[InternedField.clientIP.rawValue][e]) { return false }
        for (column, ids) in internedFields where !ids.contains(columns[column][e]) { return false }
        if markedOnly {
            guard let m = marks[e] else { return false }
            if !markLabels.isEmpty && !markLabels.contains(m.label) { return false }
        }
        if let cited, !cited.contains(e) { return false }
        if let scan {
            if let flags = scan.flags { if !flags[e] { return false } }
            else if !store.withRawLine(e, { Self.contains($0, scan.needle) }) { return false }
        }
        if !needles.isEmpty {
            let ok = store.withRawLine(e) { line in needles.allSatisfy { Self.contains(line, $0) } }
            if !ok { return false }
        }
        for (name, value) in otherFields {
            let actual = name == "url_query" ? store.urlQuery(of: e) : store.field(name, of: e)
            guard let a = actual?.lowercased() else { return false }
            if a != value && !Self.sameHexNumber(a, value) { return false }
        }
        return true
    }

    /// `0x001FFFFF` and `0x1fffff` are one access mask: Event Viewer, libevtx and Sysmon write hex values with
    /// and without leading zeros, and an analyst pastes whichever they saw. Both lower-case.
    static func sameHexNumber(_ a: String, _ b: String) -> Bool {
        guard a.hasPrefix("0x"), b.hasPrefix("0x"), let x = UInt64(a.dropFirst(2), radix: 16),
              let y = UInt64(b.dropFirst(2), radix: 16) else { return false }
        return x == y
    }

    /// ASCII case-insensitive substring test; `needle` is already lower-case.
    static func contains(_ hay: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        let n = needle.count, h = hay.count
        if n == 0 { return true }
        if n > h { return false }
        let first = needle[0]
        let firstUpper = first >= 97 && first <= 122 ? first - 32 : first
        var i = 0
        let last = h - n
        while i <= last {
            let c = hay[i]
            if c == first || c == firstUpper {
                var j = 1
                while j < n && lowerASCII(hay[i + j]) == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }
}

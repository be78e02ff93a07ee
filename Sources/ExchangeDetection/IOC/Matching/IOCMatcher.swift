import Dispatch
import ExchangeEvidence

/// One place an indicator was found: one event (or, without an event, one file line or whole file), however
/// many of its fields matched.
public struct IOCHit: Sendable, Hashable {
    /// Index into `IOCMatcher.indicators`.
    public var indicator: Int
    /// The event the hit belongs to; nil for whole-file hits (a collected file's SHA-256) and raw hits
    /// on lines no reader turned into an event.
    public var event: EventID?
    /// Index into `store.files`.
    public var file: Int
    /// 1-based line in the file; 0 for whole-file hits.
    public var line: Int
    /// The fields that matched, sorted (`client_ip`, `user_agent`, `TargetFilename`, `file.sha256`, `raw`): a
    /// listing row names a path under `FullName` and again as its URL stem, which is one hit, not two.
    public var fields: [String]
    /// Event time (ms UTC), `Timestamp.unknown` when none.
    public var time: Int64

    public init(indicator: Int, event: EventID?, file: Int, line: Int, field: String, time: Int64) {
        self.indicator = indicator
        self.event = event
        self.file = file
        self.line = line
        self.fields = [field]
        self.time = time
    }

    /// One hit per indicator and event (per file line when there is no event), with every field that matched,
    /// ordered by event, file, line and indicator.
    static func merged(_ hits: [IOCHit]) -> [IOCHit] {
        let sorted = hits.sorted {
            ($0.event ?? -1, $0.file, $0.line, $0.indicator, $0.fields[0]) < ($1.event ?? -1, $1.file, $1.line, $1.indicator, $1.fields[0])
        }
        var out: [IOCHit] = []
        for h in sorted {
            if let last = out.last, last.indicator == h.indicator, last.event == h.event, last.file == h.file, last.line == h.line {
                for f in h.fields where !last.fields.contains(f) { out[out.count - 1].fields.append(f) }
                if last.time == Timestamp.unknown { out[out.count - 1].time = h.time }   // a hash hit's file time
            } else {
                out.append(h)
            }
        }
        for i in out.indices where out[i].fields.count > 1 { out[i].fields.sort() }
        return out
    }
}

/// Restricts a match run to some servers and a time window.
public struct IOCFilter: Sendable {
    /// Server names compared case-insensitively; empty = all.
    public var servers: Set<String>
    public var from: Int64?
    public var to: Int64?

    public init(servers: Set<String> = [], from: Int64? = nil, to: Int64? = nil) {
        self.servers = Set(servers.map { $0.lowercased() })
        self.from = from
        self.to = to
    }

    public func acceptsServer(_ s: String) -> Bool { servers.isEmpty || servers.contains(s.lowercased()) }

    /// A file of an accepted server whose events are not repeats of another file's rows (Test-ProxyLogon's
    /// ResetVDir rows are also its 26855 rows: `SourceKind.repeatsOtherRows`, which keeps them from the rules too).
    func accepts(_ file: EvidenceFile) -> Bool { acceptsServer(file.server) && !file.kind.repeatsOtherRows }

    /// Hits without a time pass only when no window is set.
    func acceptsTime(_ t: Int64) -> Bool {
        if from == nil && to == nil { return true }
        if t == Timestamp.unknown { return false }
        if let f = from, t < f { return false }
        if let e = to, t > e { return false }
        return true
    }
}

/// Indicators compiled into small automata (one per kind of field), matched against the values of an `EventStore`.
///
/// Field-aware matching works on the interned values: each distinct value of a relevant column is run
/// through the automaton once (memoised per value id), then the column is scanned once to map matching
/// value ids to events. The cost therefore grows with distinct values plus events, not with
/// indicators × events. Every candidate the automaton finds is confirmed by the rules of its field
/// (`IOCConfirm`): whole addresses, whole user agents, path ends, name segments.
public final class IOCMatcher: @unchecked Sendable {
    public let indicators: [Indicator]
    /// One automaton per field group, holding only the patterns that group can confirm.
    let compiled: [FieldGroup: CompiledGroup]
    /// Hash indicators by normalised value, for collected files' SHA-256 and digests in text.
    let hashIndex: [String: [Int]]
    /// IP indicators by address and by CIDR block.
    let ipIndex: IPv4Index
    /// True when the raw automaton also holds the IPs and hashes (short lists); otherwise raw scans find them
    /// in separate token passes.
    let rawTokensInAutomaton: Bool
    /// Up to this many IPs (and hashes), raw scans match them in the automaton pass.
    static let tokenPatternLimit = 2000

    struct CompiledGroup {
        let patterns: IOCPatterns
        let automaton: MultiPatternMatcher
    }

    public init(indicators: [Indicator]) {
        self.indicators = indicators
        var c: [FieldGroup: CompiledGroup] = [:]
        let ipCount = indicators.reduce(0) { $0 + ($1.type == .ip ? 1 : 0) }
        let hashCount = indicators.reduce(0) { $0 + ($1.type == .hash ? 1 : 0) }
        ipIndex = IPv4Index(indicators)
        // A block is no literal: with one, raw scans find addresses in their token pass.
        rawTokensInAutomaton = ipCount <= Self.tokenPatternLimit && hashCount <= Self.tokenPatternLimit && !ipIndex.hasBlocks
        for g in FieldGroup.allCases where g != .hash && g != .ip {
            let p = IOCPatterns(indicators, for: g, tokens: g == .raw && rawTokensInAutomaton)
            c[g] = CompiledGroup(patterns: p, automaton: MultiPatternMatcher(patterns: p.bytes, fold: IOCPatterns.fold))
        }
        compiled = c
        var h: [String: [Int]] = [:]
        for (i, ind) in indicators.enumerated() where ind.type == .hash { h[ind.normalized, default: []].append(i) }
        hashIndex = h
    }

    /// The interned columns searched, and the group that decides how.
    static let columns: [(InternedField, FieldGroup)] = [
        (.clientIP, .ip), (.userAgent, .ua), (.urlStem, .stem), (.anchorMailbox, .text),
    ]

    /// Indicators found in the modelled fields of events, in collected files' hashes and in named fields
    /// of file listings and event records: one hit per indicator and event, naming every field that matched
    /// (`IOCHit.merged`). A collected file read as one event (a web page) carries its hash hit on that event.
    public func match(_ store: EventStore, filter: IOCFilter = IOCFilter()) -> [IOCHit] {
        let fileOK = store.files.map { filter.accepts($0) }
        // Columns are independent (each has its own memo), so they are searched in parallel.
        let jobs = Self.columns.filter { $0.1 == .ip ? !ipIndex.isEmpty : compiled[$0.1]?.patterns.bytes.isEmpty == false }
        var perColumn = [[IOCHit]](repeating: [], count: jobs.count)
        perColumn.withUnsafeMutableBufferPointer { out in
            let sink = out
            DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
                var h: [IOCHit] = []
                matchColumn(store, jobs[k].0, jobs[k].1, fileOK: fileOK, filter: filter, into: &h)
                sink[k] = h
            }
        }
        var hits = perColumn.flatMap { $0 }
        if !hashIndex.isEmpty {
            var whole: [IOCHit] = []
            for (fi, f) in store.files.enumerated() where fileOK[fi] && filter.acceptsTime(f.modified) {
                for i in hashIndex[f.sha256.lowercased()] ?? [] {
                    whole.append(IOCHit(indicator: i, event: nil, file: fi, line: 0, field: "file.sha256", time: f.modified))
                }
            }
            hits += Self.onSingleEvents(whole, store)
        }
        IOCNamedFields.match(self, store, fileOK: fileOK, filter: filter, into: &hits)
        return IOCHit.merged(hits)
    }

    /// Whole-file hits on files read as one event (collected web pages) moved onto that event, so that the
    /// file's hash, path and URL count as one hit; other whole-file hits stay without an event.
    private static func onSingleEvents(_ hits: [IOCHit], _ store: EventStore) -> [IOCHit] {
        let wanted = Set(hits.map(\.file).filter { store.files[$0].eventCount == 1 })
        guard !wanted.isEmpty else { return hits }
        var eventOf: [Int: EventID] = [:]
        store.fileIndex.withUnsafeBufferPointer { files in
            for e in 0..<files.count where wanted.contains(Int(files[e])) { eventOf[Int(files[e])] = e }
        }
        return hits.map { h in
            guard let e = eventOf[h.file] else { return h }
            var moved = h
            moved.event = e
            moved.line = Int(store.lineNumber[e])
            return moved
        }
    }

    private func matchColumn(_ store: EventStore, _ field: InternedField, _ group: FieldGroup, fileOK: [Bool],
                             filter: IOCFilter, into hits: inout [IOCHit]) {
        var memo = [UInt32](repeating: 0, count: store.pool.count)  // 0 unknown, 1 none, k ≥ 2: lists[k - 2]
        var lists: [[Int32]] = []
        let column = store.values[field.rawValue]
        let files = store.fileIndex, times = store.time, lines = store.lineNumber
        let pool = store.pool
        let compiledGroup = compiled[group]
        column.withUnsafeBufferPointer { col in
            memo.withUnsafeMutableBufferPointer { m in
                for e in 0..<col.count {
                    let v = Int(col[e])
                    if v == 0 { continue }
                    var code = m[v]
                    if code == 0 {
                        let found = pool.withBytes(UInt32(v)) { bytes in
                            compiledGroup.map { candidates(in: bytes, $0, group) } ?? candidates(in: bytes, group: group)
                        }
                        if found.isEmpty { code = 1 } else {
                            lists.append(found)
                            code = UInt32(lists.count + 1)
                        }
                        m[v] = code
                    }
                    if code == 1 { continue }
                    let fi = Int(files[e])
                    guard fileOK[fi], filter.acceptsTime(times[e]) else { continue }
                    for i in lists[Int(code) - 2] {
                        hits.append(IOCHit(indicator: Int(i), event: e, file: fi, line: Int(lines[e]), field: field.name,
                                           time: times[e]))
                    }
                }
            }
        }
    }

    /// Indicators confirmed in one value of a field group (each indicator once).
    func candidates(in value: UnsafeRawBufferPointer, group: FieldGroup) -> [Int32] {
        var found: [Int32] = []
        if group == .hash || group == .ip {
            let add = { (_: Int, _: Int, list: [Int]) in
                for i in list where !found.contains(Int32(i)) { found.append(Int32(i)) }
            }
            if group == .hash { HexDigests.find(in: value, index: hashIndex, add) } else { IPv4Tokens.find(in: value, index: ipIndex, add) }
            return found
        }
        guard let c = compiled[group] else { return found }
        return candidates(in: value, c, group)
    }

    private func candidates(in value: UnsafeRawBufferPointer, _ c: CompiledGroup, _ group: FieldGroup) -> [Int32] {
        var found: [Int32] = []
        c.automaton.scan(value) { p, end in
            let start = end - Int(c.automaton.patternLengths[p])
            if IOCConfirm.confirm(c.patterns.role[p], value, start, end, group: group, exact: c.patterns.exact[p]) {
                let i = c.patterns.indicator[p]
                if !found.contains(i) { found.append(i) }
            }
            return true
        }
        return found
    }
}

import Foundation

/// A dense event number, stable for a session: events are numbered in load order (files in path order).
public typealias EventID = Int

/// The in-memory model of all loaded evidence, stored column-wise.
///
/// Per event it keeps the file, line number, byte range of the raw line, time, schema, and interned ids
/// for the fields in `InternedField` — about 60 bytes an event. Everything else is split from the raw line
/// on demand (`fields(of:)`), so loading never builds per-event dictionaries or Strings. For EVTX the byte
/// range is the binary record and the raw line is rendered from it when read (`EvidenceFile.renderer`).
public final class EventStore: @unchecked Sendable {
    public private(set) var files: [EvidenceFile] = []
    public private(set) var schemas: [FieldSchema] = []
    public private(set) var pool = ValuePool(capacity: 1 << 16)

    public private(set) var fileIndex: [UInt32] = []
    public private(set) var lineNumber: [UInt32] = []
    public private(set) var offset: [Int] = []
    public private(set) var length: [UInt32] = []
    public private(set) var time: [Int64] = []
    public private(set) var schema: [UInt16] = []
    /// Interned values, one column per `InternedField` (0 = absent).
    public private(set) var values: [[UInt32]] = Array(repeating: [], count: InternedField.allCases.count)
    /// The first event id of each file (events are appended file by file).
    public private(set) var firstEvent: [EventID] = []

    private var schemaIDs: [FieldSchema: UInt16] = [:]
    /// The digest of the first file loaded under each path, and the paths loaded with different bytes (two hosts'
    /// collections of one layout): those are cited with their evidence set's name (`citation(of:)`).
    private var digestOfPath: [String: String] = [:]
    private var sharedPaths: Set<String> = []
    private var timeOrderCache: [EventID]?
    /// Bumped on every change, so derived indexes (findings, time order) know when to rebuild.
    public private(set) var generation = 0

    public init() {}

    public var count: Int { offset.count }

    /// Adds a file and its events; returns the id range given to them.
    @discardableResult
    public func append(file: EvidenceFile, batch: EventBatch) -> Range<EventID> {
        let fidx = UInt32(files.count)
        files.append(file)
        if let digest = digestOfPath[file.path] {
            if digest != file.sha256 { sharedPaths.insert(file.path) }
        } else {
            digestOfPath[file.path] = file.sha256
        }
        let start = count
        firstEvent.append(start)
        var schemaMap = [UInt16]()
        var refused = batch.schemaOverflow
        for s in batch.schemas {
            if let id = schemaIDs[s] { schemaMap.append(id); continue }
            if schemas.count >= FieldSchema.limit - 1 && s != FieldSchema.plain {
                refused += 1
                schemaMap.append(schemaID(FieldSchema.plain))
            } else {
                schemaMap.append(schemaID(s))
            }
        }
        if refused > 0 {
            file.problems.add(LoadProblem("\(refused) distinct #Fields headers beyond the limit of \(FieldSchema.limit - 1) "
                                          + "schemas: their lines are kept as plain text (no fields)"))
        }
        var idMap = [UInt32](repeating: 0, count: batch.pool.count)
        for local in batch.pool.ids {
            idMap[Int(local)] = pool.intern(local, from: batch.pool)
        }
        let n = batch.count
        fileIndex.append(contentsOf: [UInt32](repeating: fidx, count: n))
        lineNumber.append(contentsOf: batch.lines)
        offset.append(contentsOf: batch.offsets)
        length.append(contentsOf: batch.lengths)
        time.append(contentsOf: batch.times)
        schema.append(contentsOf: batch.schemaIndex.lazy.map { schemaMap[Int($0)] })
        let stride = EventBatch.stride
        // Columns grow by copying one zeroed array (a `memcpy`), not element by element from `repeatElement`.
        let absent = [UInt32](repeating: 0, count: n)
        batch.fieldIDs.withUnsafeBufferPointer { ids in
            idMap.withUnsafeBufferPointer { map in
                for k in 0..<values.count {
                    // Extend the column once, then fill it through a pointer.
                    let base = values[k].count
                    values[k].append(contentsOf: absent)
                    values[k].withUnsafeMutableBufferPointer { column in
                        for e in 0..<n { column[base + e] = map[Int(ids[e &* stride &+ k])] }
                    }
                }
            }
        }
        var first = Int64.max, last = Int64.min
        for t in batch.times where t != Timestamp.unknown {
            if t < first { first = t }
            if t > last { last = t }
        }
        file.eventCount = n
        if !batch.records.isEmpty { file.records = batch.records.count == n ? batch.records : (0..<n).map { batch.record($0) } }
        file.firstTime = first == Int64.max ? Timestamp.unknown : first
        file.lastTime = last == Int64.min ? Timestamp.unknown : last
        timeOrderCache = nil
        generation += 1
        return start..<(start + n)
    }

    /// Mapped files found changed on disk since they were loaded, each once (see `EvidenceFile.checkUnchanged`).
    public func filesChangedSinceLoad() -> [EvidenceFile] {
        files.filter { $0.checkUnchanged() }
    }

    /// The store's id of a schema, adding it when new (callers keep the count under `FieldSchema.limit`).
    private func schemaID(_ s: FieldSchema) -> UInt16 {
        if let id = schemaIDs[s] { return id }
        let id = UInt16(schemas.count)
        schemas.append(s)
        schemaIDs[s] = id
        return id
    }

    /// The files as read: a file split into one store file per server or channel (a fleet's JSON export) counts
    /// once, as its first part, so counts of files and bytes are not multiplied by its servers.
    public var filesAsRead: [EvidenceFile] {
        var seen = Set<String>()
        return files.filter { seen.insert($0.location + "\u{0}" + $0.sha256).inserted }
    }

    /// The store's files grouped by the text a scan of every byte reads (`grep-ioc --raw`, YARA `--raw`): a
    /// file split per server or channel whose events point into one shared text (JSON) is one group, to be
    /// scanned once, each hit going to the part whose event holds it (the first part when none does). Parts
    /// whose events are rendered from binary records (EVTX) render only their own, so each is a group.
    public var scanGroups: [[Int]] {
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for (i, f) in files.enumerated() {
            guard f.renderer == nil else { groups.append([i]); continue }
            let key = f.location + "\u{0}" + f.sha256
            if let g = groupOf[key] { groups[g].append(i) } else { groupOf[key] = groups.count; groups.append([i]) }
        }
        return groups
    }

    // MARK: - Reading events

    public func file(of id: EventID) -> EvidenceFile { files[Int(fileIndex[id])] }
    public func server(of id: EventID) -> String { file(of: id).server }
    public func kind(of id: EventID) -> SourceKind { file(of: id).kind }

    /// True when there are `events` and every one lies in a log whose lines name another computer than the server
    /// it was filed under (`EvidenceFile.otherComputerFact`): they tell that machine's story, not the server's.
    public func restOnOtherComputers<C: Collection>(_ events: C) -> Bool where C.Element == EventID {
        !events.isEmpty && events.allSatisfy { file(of: $0).facts[EvidenceFile.otherComputerFact] != nil }
    }
    public func line(of id: EventID) -> Int { Int(lineNumber[id]) }

    /// The ids of file `fi`'s events (events are appended file by file).
    public func events(ofFile fi: Int) -> Range<EventID> { firstEvent[fi]..<(firstEvent[fi] + files[fi].eventCount) }

    /// How a file is cited where `show` and `mark` read the citation back: its path, or `SET/path` when another
    /// loaded file with other bytes has the same path (KAPE or CyLR zips named by host hold the same member paths),
    /// so that `FILE:LINE` names one event in the session, a case replay and an export alike.
    public func citation(of f: EvidenceFile) -> String {
        sharedPaths.contains(f.path) && !f.evidenceSet.isEmpty ? f.evidenceSet + "/" + f.path : f.path
    }

    /// The earlier copy a text log continues (`EvidenceFile.continuesFrom`): the file whose bytes are all at its
    /// start, so its lines there are that copy's events, at the same line numbers. Nil for other files.
    public func earlierCopy(of f: Int) -> Int? {
        let file = files[f]
        guard file.continuesFrom > 0, let earlier = file.facts[EvidenceFile.continuesFact] else { return nil }
        return files.indices.first { i in
            let e = files[i]
            return i != f && e.bytes.count == file.continuesFrom && (e.path == earlier || e.evidenceSet + "/" + e.path == earlier)
        }
    }

    /// `FILE:LINE` of an event, with the file cited as `citation(of:)` does.
    public func citation(of id: EventID) -> String { "\(citation(of: file(of: id))):\(line(of: id))" }

    /// The interned id of a field of an event (0 = absent).
    @inline(__always)
    public func valueID(_ field: InternedField, _ id: EventID) -> UInt32 { values[field.rawValue][id] }

    /// The value of an interned field, or "" when absent.
    public func value(_ field: InternedField, _ id: EventID) -> String {
        pool.string(values[field.rawValue][id])
    }

    /// Calls `body` with the event's stored line: a slice of its file's bytes, or for binary records (EVTX) the
    /// line rendered from its record (taken from the file's rendered text when a bulk scan already made it).
    public func withRawLine<R>(_ id: EventID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let fi = Int(fileIndex[id])
        let f = files[fi]
        let s = offset[id], n = Int(length[id])
        if let renderer = f.renderer {
            if let text = f.renderedIfMade {
                let k = id - firstEvent[fi]
                let a = text.offsets[k], m = Int(text.lengths[k])
                return try text.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[a..<(a + m)])) }
            }
            var line: [UInt8] = []
            f.bytes.withUnsafeBytes { renderer.render($0, offset: s, length: n, line: Int(lineNumber[id]), into: &line) }
            return try line.withUnsafeBytes(body)
        }
        return try f.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[s..<(s + n)])) }
    }

    /// Calls `body` with the text of file `fi`'s events for a bulk scan: the file's bytes for line formats; for
    /// binary records (EVTX) their lines rendered once on all cores and kept for later scans.
    public func withEventText<R>(file fi: Int, _ body: (EventText) throws -> R) rethrows -> R {
        let f = files[fi]
        let range = events(ofFile: fi)
        if let text = f.renderedText(offsets: offset[range], lengths: length[range], lines: lineNumber[range]) {
            return try text.bytes.withUnsafeBytes {
                try body(EventText(bytes: $0, offsets: text.offsets, lengths: text.lengths, base: range.lowerBound))
            }
        }
        return try f.bytes.withUnsafeBytes { try body(EventText(bytes: $0, offsets: offset, lengths: length, base: 0)) }
    }

    /// Calls `body` with file `fi`'s bytes as stored, its events' offsets pointing into them: for EVTX the file's
    /// own bytes with its binary records (what a scan of the file itself reads, at file offsets), for line formats
    /// the same as `withEventText`; for JSON and event XML exports the lines rendered from their records at load
    /// (their own bytes are not kept).
    public func withStoredBytes<R>(file fi: Int, _ body: (EventText) throws -> R) rethrows -> R {
        try files[fi].bytes.withUnsafeBytes { try body(EventText(bytes: $0, offsets: offset, lengths: length, base: 0)) }
    }

    /// The raw line as stored (invalid UTF-8 repaired; escape before printing).
    public func rawLine(_ id: EventID) -> String { withRawLine(id) { String(decoding: $0, as: UTF8.self) } }

    /// All fields of an event, split from its raw line by its schema.
    public func fields(of id: EventID) -> [(name: String, value: String)] {
        let s = schemas[Int(schema[id])]
        return withRawLine(id) { s.fields(of: $0) }
    }

    /// One field by name (case-insensitive), split from the raw line on demand. A named column of a CSV or
    /// W3C line is found without splitting the rest of the line (rules ask this of every request that passed
    /// a byte filter; splitting all 74 HttpProxy columns into Strings was most of `hunt`'s time).
    public func field(_ name: String, of id: EventID) -> String? {
        let s = schemas[Int(schema[id])]
        if s.format == .csv || s.format == .w3c, let column = s.column(name) {
            guard let value = withRawLine(id, { s.value(at: column, of: $0) }) else { return nil }
            return s.format == .w3c && value == "-" ? "" : value
        }
        let lower = name.lowercased()
        return fields(of: id).first { $0.name.lowercased() == lower }?.value
    }

    /// The URL query (`UrlQuery` or `cs-uri-query`), split from the raw line; "" when the event has none.
    public func urlQuery(of id: EventID) -> String {
        let s = schemas[Int(schema[id])]
        guard let column = s.queryColumn else { return "" }
        let value = withRawLine(id) { s.value(at: column, of: $0) } ?? ""
        return value == "-" && s.format == .w3c ? "" : value
    }

    /// Events ordered by time (unknown times first, ties in load order), computed once per load.
    public var timeOrder: [EventID] {
        if let c = timeOrderCache { return c }
        var order = Array(0..<count)
        let t = time
        order.sort { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
        timeOrderCache = order
        return order
    }

    /// Bytes used by the event columns and interning (not the file bytes), for `info` and the benchmark.
    /// Columns count their events, not their capacity: capacity not yet filled (see `reserve`) is address
    /// space the system has not backed with memory.
    public var indexFootprint: Int {
        count * (4 + 4 + 8 + 4 + 8 + 2 + 4 * values.count) + pool.footprint
    }

    /// Makes room for `events` more events in every column before a load, so the columns are not regrown
    /// (copied, and their pages touched twice) while files are merged. Only what events fill becomes memory.
    func reserve(events: Int) {
        let total = count + events
        fileIndex.reserveCapacity(total)
        lineNumber.reserveCapacity(total)
        offset.reserveCapacity(total)
        length.reserveCapacity(total)
        time.reserveCapacity(total)
        schema.reserveCapacity(total)
        for k in values.indices { values[k].reserveCapacity(total) }
    }
}

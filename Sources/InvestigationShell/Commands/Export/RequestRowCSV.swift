import ExchangeEvidence

/// Writes the CSV timeline row of a plain request — an HttpProxy or IIS event that no finding cites and no mark
/// names, nearly every row of an export — straight from the store's columns, the interned values and the line's
/// URL query into the row, with no message built first and no String or array per value: the bytes
/// `TimelineRowWriter` writes, with well under half its CPU time.
///
/// Anything unusual goes to `TimelineRowWriter`, so the output stays the same byte for byte: a byte outside printable
/// ASCII or a `"` in a value (escaping and doubling), a message over `EventMessage.maxLength` (clipped by
/// characters) or starting with `=` `+` `-` `@` (a formula), a query only the full CSV split finds, a time before
/// 1970 or past year 9999, findings and marks, other sources.
///
/// Reads the interned values through `ValuePool.Storage`: make it and use it inside `ValuePool.withStorage`.
struct RequestRowCSV: @unchecked Sendable {
    private let general: TimelineRowWriter
    private let pool: ValuePool.Storage
    private let queries: URLQueryReader
    private let times: [Int64]
    private let fileIndex: [UInt32]
    private let lines: [UInt32]
    private let offsets: [Int]
    private let lengths: [UInt32]
    private let schemas: [UInt16]
    /// The message's interned columns, in message order (`RequestColumns`).
    private let method: [UInt32], stem: [UInt32], status: [UInt32], clientIP: [UInt32], agent: [UInt32], user: [UInt32],
                anchor: [UInt32]
    /// One bit per event cited by a finding or marked: those rows carry more cells and go to `general`.
    private let special: [UInt64]
    /// Per file: whether its events are requests this writer takes, where its lines are, and its constant cells,
    /// encoded once into `cells`.
    private let files: [File]
    private let cells: [UInt8]
    /// Bytes a row can take here: the longest constant cells, twice `EventMessage.maxLength` for the message (more
    /// than it can take with its quotes doubled), the numbers and separators.
    let rowLimit: Int

    private struct File {
        var bytes: UnsafeRawPointer?
        var request: Bool
        /// `,timestamp_desc,`, `,server,source,channel,`, `,file,`, `,sha256,,[],,` (empty findings, no tag, no note; the
        /// query follows).
        var description: Range<Int>, origin: Range<Int>, path: Range<Int>, tail: Range<Int>
    }

    /// The evidence bytes of the files are kept here so the addresses taken stay valid.
    private let evidence: [EvidenceBytes]

    init(_ store: EventStore, general: TimelineRowWriter, marks: [EventID: CaseMark], findings: FindingCitations?,
         pool: ValuePool.Storage) {
        self.general = general
        self.pool = pool
        queries = URLQueryReader(store)
        times = store.time
        fileIndex = store.fileIndex
        lines = store.lineNumber
        offsets = store.offset
        lengths = store.length
        schemas = store.schema
        let v = store.values
        method = v[InternedField.method.rawValue]
        stem = v[InternedField.urlStem.rawValue]
        status = v[InternedField.status.rawValue]
        clientIP = v[InternedField.clientIP.rawValue]
        agent = v[InternedField.userAgent.rawValue]
        user = v[InternedField.user.rawValue]
        anchor = v[InternedField.anchorMailbox.rawValue]
        var bits = [UInt64](repeating: 0, count: (store.count + 63) / 64)
        for e in (findings?.citedEvents ?? []) + Array(marks.keys) where e >= 0 && e < store.count { bits[e >> 6] |= 1 << UInt64(e & 63) }
        special = bits
        var out = ExportBytes()
        func cell(_ parts: [String?]) -> Range<Int> {
            let start = out.bytes.count
            for p in parts { if let p { out.appendCSV(p) } else { out.append(",") } }
            return start..<out.bytes.count
        }
        var longest = 0
        files = store.files.map { f in
            let row = File(bytes: f.bytes.baseAddress, request: (f.kind == .httpProxy || f.kind == .iis) && f.renderer == nil,
                           description: cell([nil, TimelineExport.timestampDescription(f.kind.rawValue), nil]),
                           origin: cell([nil, f.server, nil, f.kind.rawValue, nil, f.channel, nil]),
                           path: cell([nil, store.citation(of: f), nil]), tail: cell([nil, f.sha256, nil, nil]))
            out.append("[],,")
            longest = max(longest, row.description.count + row.origin.count + row.path.count + row.tail.upperBound + 4 - row.tail.lowerBound)
            return row
        }
        cells = out.bytes
        evidence = store.files.map(\.bytes)
        // The query's room is `capacity`'s; its quotes and the line end are the 3 bytes more.
        rowLimit = 2 * EventMessage.maxLength + 8 + 32 + longest + 3 * 21 + 3
    }

    /// Appends the row of `e` (or nothing when it has no time); true when a row was written.
    func append(_ e: EventID, to out: inout ExportBytes) -> Bool {
        let limit = capacity(e)
        if out.row.count < limit { out.row = [UInt8](repeating: 0, count: limit) }
        let wrote = out.row.withUnsafeMutableBytes { row in
            guard let r = self.row(e, into: row.baseAddress!.assumingMemoryBound(to: UInt8.self)) else { return false }
            out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: row[r]))
            return true
        }
        return wrote || general.append(e, to: &out)
    }

    /// The room `row(e, into:)` needs: `rowLimit`, and the line's length for the whole query.
    func capacity(_ e: EventID) -> Int { rowLimit + Int(lengths[e]) }

    /// Writes the row of `e` into `row` (room for `capacity(e)` bytes) and returns where it lies in it, or nil when
    /// the row is one for `general`.
    @inline(__always)
    func row(_ e: EventID, into row: UnsafeMutablePointer<UInt8>) -> Range<Int>? {
        let time = times[e]
        guard time >= 0, special[e >> 6] & (1 << UInt64(e & 63)) == 0 else { return nil }
        let file = files[Int(fileIndex[e])]
        guard file.request, let base = file.bytes else { return nil }
        let line = UnsafeRawBufferPointer(start: base + offsets[e], count: Int(lengths[e]))
        guard let query = queries.query(schema: Int(schemas[e]), in: line) else { return nil }

        // The message, after a place for the opening quote: what `RequestColumns` writes.
        var m = Message(start: row + 1)
        m.value(method[e], prefix: "", pool)
        if stem[e] != 0 { m.value(stem[e], prefix: m.length > 0 ? " " : "", pool) }
        let q = URLQueryReader.withoutLogsMark(UnsafeRawBufferPointer(rebasing: line[query]), w3c: queries.isW3C(schema: Int(schemas[e])))
        if !q.isEmpty { m.query(q) }
        m.value(status[e], prefix: " ", pool)
        m.value(clientIP[e], prefix: " from ", pool)
        m.value(agent[e], prefix: " ", quoted: true, pool)
        m.value(user[e], prefix: " user ", pool)
        m.value(anchor[e], prefix: " anchor ", pool)
        // A line without a URL stem (cut off by the end of its file before it) shows as it is: `general` writes it.
        guard stem[e] != 0, m.plain, m.length > 0, m.length <= EventMessage.maxLength else { return nil }
        if CSVCell.startsFormula(row[1]) { return nil }
        var p = m.end
        let start: Int
        if m.quote {
            row[0] = UInt8(ascii: "\"")
            p.put(UInt8(ascii: "\""))
            start = 0
        } else {
            start = 1
        }

        // `,datetime,timestamp_desc,timestamp,server,source,channel,event,file,line,sha256,,[],,`, the query, the line end.
        p.put(UInt8(ascii: ","))
        guard Self.iso(time, &p) else { return nil }
        cells.withUnsafeBytes { c in
            p.put(c, file.description)
            Self.decimal(UInt64(time) &* 1000, &p)
            p.put(c, file.origin)
            Self.decimal(UInt64(e), &p)
            p.put(c, file.path)
            Self.decimal(UInt64(lines[e]), &p)
            p.put(c, file.tail.lowerBound..<(file.tail.upperBound + 4))
        }
        guard Self.queryCell(UnsafeRawBufferPointer(rebasing: line[query]), &p) else { return nil }
        p.put(UInt8(ascii: "\n"))
        return start..<(p - row)
    }

    /// The whole query as a CSV cell (quoted when it holds a comma); false for what only `ExportBytes.appendCSV`
    /// writes the same: a byte outside printable ASCII, a `"`, a leading `=` `+` `-` `@`.
    @inline(__always)
    private static func queryCell(_ q: UnsafeRawBufferPointer, _ p: inout UnsafeMutablePointer<UInt8>) -> Bool {
        guard let first = q.first else { return true }
        if CSVCell.startsFormula(first) { return false }
        var cell = Message(start: p + 1)
        cell.copy(q)
        guard cell.plain else { return false }
        if cell.quote {
            p.put(UInt8(ascii: "\""))
            p = cell.end
            p.put(UInt8(ascii: "\""))
        } else {
            // Not quoted after all: the cell moves back to where the quote would have been (copyMemory is a memmove).
            UnsafeMutableRawPointer(p).copyMemory(from: p + 1, byteCount: q.count)
            p += q.count
        }
        return true
    }

    /// The message as it is written: escaped (the user agent's quotes doubled), its length unescaped, and
    /// whether it needs quoting or must go to `general`.
    private struct Message {
        var end: UnsafeMutablePointer<UInt8>
        var length = 0
        /// A `,` or a `"`: the cell is quoted.
        var quote = false
        /// False once a value holds what only `general` writes the same (or the message grew past its limit).
        var plain = true

        init(start: UnsafeMutablePointer<UInt8>) { end = start }

        @inline(__always)
        mutating func value(_ id: UInt32, prefix: StaticString, quoted: Bool = false, _ pool: ValuePool.Storage) {
            guard id != 0, plain else { return }
            let v = pool.bytes(id)
            let more = prefix.withUTF8Buffer { $0.count } + v.count + (quoted ? 2 : 0)
            guard length + more <= EventMessage.maxLength else { plain = false; return }
            end.put(prefix)
            if quoted { end.put(UInt8(ascii: "\"")); end.put(UInt8(ascii: "\"")); quote = true }
            copy(v)
            if quoted { end.put(UInt8(ascii: "\"")); end.put(UInt8(ascii: "\"")) }
            length += more
        }

        /// `?` and the query, clipped to 80 characters as `RequestColumns` clips printable ASCII.
        @inline(__always)
        mutating func query(_ q: UnsafeRawBufferPointer) {
            guard plain else { return }
            let kept = q.count > 80 ? 79 : q.count
            let more = 1 + kept + (q.count > 80 ? 3 : 0)
            guard length + more <= EventMessage.maxLength else { plain = false; return }
            end.put(UInt8(ascii: "?"))
            copy(UnsafeRawBufferPointer(rebasing: q[..<kept]))
            if q.count > 80 {
                // The clipped rest must be printable ASCII too, or `RequestColumns` clips by characters.
                if !Self.printable(UnsafeRawBufferPointer(rebasing: q[kept...])) { plain = false }
                end.put("…")
            }
            length += more
        }

        /// Copies printable ASCII without `"` eight bytes at a time, noting commas; anything else ends the fast path.
        @inline(__always)
        mutating func copy(_ v: UnsafeRawBufferPointer) {
            guard let from = v.baseAddress else { return }
            let n = v.count
            var odd: UInt64 = 0, comma: UInt64 = 0, i = 0
            while i + 8 <= n {
                let w = from.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                odd |= w | SeparatorScan.lowBytes(w) | SeparatorScan.zeroBytes(w ^ 0x7F7F_7F7F_7F7F_7F7F)
                    | SeparatorScan.zeroBytes(w ^ 0x2222_2222_2222_2222)
                comma |= SeparatorScan.zeroBytes(w ^ 0x2C2C_2C2C_2C2C_2C2C)
                UnsafeMutableRawPointer(end + i).storeBytes(of: w, as: UInt64.self)
                i += 8
            }
            while i < n {
                let b = from.load(fromByteOffset: i, as: UInt8.self)
                if b < 0x20 || b > 0x7E || b == UInt8(ascii: "\"") { odd |= 0x80 }
                if b == UInt8(ascii: ",") { comma |= 0x80 }
                end[i] = b
                i += 1
            }
            end += n
            if odd & 0x8080_8080_8080_8080 != 0 { plain = false }
            if comma & 0x8080_8080_8080_8080 != 0 { quote = true }
        }

        private static func printable(_ v: UnsafeRawBufferPointer) -> Bool {
            v.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
    }

    /// `2021-03-03T06:49:42.162+00:00` as `ExportBytes.appendISO` writes it; false past year 9999.
    @inline(__always)
    private static func iso(_ ms: Int64, _ p: inout UnsafeMutablePointer<UInt8>) -> Bool {
        let secs = Int(ms / 1000), milli = Int(ms % 1000)
        let days = secs / 86_400, sod = secs % 86_400
        let (y, mo, d) = Timestamp.civil(days: days)
        guard y < 10_000 else { return false }
        p.digits(y / 100); p.digits(y % 100); p.put(UInt8(ascii: "-")); p.digits(mo); p.put(UInt8(ascii: "-")); p.digits(d)
        p.put(UInt8(ascii: "T"))
        p.digits(sod / 3600); p.put(UInt8(ascii: ":")); p.digits(sod / 60 % 60); p.put(UInt8(ascii: ":")); p.digits(sod % 60)
        p.put(UInt8(ascii: ".")); p.put(0x30 &+ UInt8(milli / 100)); p.digits(milli % 100)
        p.put("+00:00")
        return true
    }

    /// A decimal number.
    @inline(__always)
    private static func decimal(_ v: UInt64, _ p: inout UnsafeMutablePointer<UInt8>) {
        var count = 1, t = v
        while t >= 10 { t /= 10; count += 1 }
        var x = v
        for k in stride(from: count - 1, through: 0, by: -1) {
            p[k] = 0x30 &+ UInt8(truncatingIfNeeded: x % 10)
            x /= 10
        }
        p += count
    }
}

private extension UnsafeMutablePointer<UInt8> {
    @inline(__always) mutating func put(_ b: UInt8) {
        pointee = b
        self += 1
    }

    @inline(__always) mutating func put(_ s: StaticString) {
        s.withUTF8Buffer { b in if let a = b.baseAddress { UnsafeMutableRawPointer(self).copyMemory(from: a, byteCount: b.count) } }
        self += s.withUTF8Buffer { $0.count }
    }

    @inline(__always) mutating func put(_ bytes: UnsafeRawBufferPointer, _ r: Range<Int>) {
        UnsafeMutableRawPointer(self).copyMemory(from: bytes.baseAddress! + r.lowerBound, byteCount: r.count)
        self += r.count
    }

    /// Two decimal digits of `v` (0…99).
    @inline(__always) mutating func digits(_ v: Int) {
        self[0] = 0x30 &+ UInt8(v / 10)
        self[1] = 0x30 &+ UInt8(v % 10)
        self += 2
    }
}

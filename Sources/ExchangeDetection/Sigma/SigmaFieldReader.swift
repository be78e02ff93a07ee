#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ExchangeEvidence

/// Reads named fields of stored events through the store's public accessors: one split of an event-log
/// line gives every field, and W3C/CSV lines are cut at the needed columns only (positions cached per schema).
///
/// Empty W3C (`-`) and CSV values read as absent (nil). `@keywords` is the whole event: the values of an
/// event-log record joined by line breaks (so escapes in the stored line do not matter), and for Exchange's
/// cmdlet log also the message Event Viewer shows, which SigmaHQ's keywords are written against (`' -Mailbox '`:
/// the space before the first parameter exists only there); the raw line otherwise.
///
/// `load` is the hot path of a hunt (every event of a binding passes through it once): for W3C and unquoted CSV
/// lines it copies the needed byte ranges into one scratch buffer instead of building Strings.
final class SigmaFieldReader {
    static let keywords = "@keywords"

    private let store: EventStore
    /// Lower-cased evidence field names, in the order of `spans`.
    let names: [String]
    private let keywordsIndex: Int?
    /// Per schema: for each column up to the last one needed, the fields read from it.
    private var columnsBySchema: [UInt16: [[Int]]] = [:]
    /// Bytes of the fields `load` read, and where each one is (`count` -1: absent).
    private(set) var scratch: [UInt8] = []
    private(set) var spans: [(start: Int, count: Int)]

    init(store: EventStore, names: [String]) {
        self.store = store
        self.names = names.map { $0.lowercased() }
        keywordsIndex = self.names.firstIndex(of: Self.keywords)
        spans = Array(repeating: (0, -1), count: names.count)
    }

    /// The columns of the last schema asked for: events of one file share it.
    private var lastColumns: (sid: UInt16, columns: [[Int]])?

    private func columns(_ sid: UInt16, _ schema: FieldSchema) -> [[Int]] {
        if let last = lastColumns, last.sid == sid { return last.columns }
        if let c = columnsBySchema[sid] { lastColumns = (sid, c); return c }
        let cols = names.map { schema.column($0) }
        var c = [[Int]](repeating: [], count: (cols.compactMap { $0 }.max() ?? -1) + 1)
        for (f, col) in cols.enumerated() { if let col { c[col].append(f) } }
        columnsBySchema[sid] = c
        return c
    }

    /// Calls `body` with the bytes of field `i` of the last `load`, or nil when absent.
    @inline(__always)
    func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let s = spans[i]
        if s.count < 0 { return body(nil) }
        return scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[s.start..<(s.start + s.count)])) }
    }

    /// Reads the needed fields of one event into `scratch`/`spans`.
    func load(_ id: EventID) {
        scratch.removeAll(keepingCapacity: true)
        for i in spans.indices { spans[i] = (0, -1) }
        let sid = store.schema[id]
        let schema = store.schemas[Int(sid)]
        if schema.format == .w3c || schema.format == .csv {
            let cols = columns(sid, schema)
            let done: Bool = store.withRawLine(id) { line in
                if schema.format == .csv { return loadCSV(line, cols) }
                let separator: UInt8 = 0x20
                if let k = keywordsIndex { put(k, line) }
                guard let base = line.baseAddress else { return true }
                var column = 0, start = 0
                let n = line.count
                // Separators found with memchr; columns after the last needed one are not cut.
                while start <= n && column < cols.count {
                    let end = start < n ? memchr(base + start, Int32(separator), n - start).map { UnsafeRawPointer($0) - base } ?? n : n
                    for f in cols[column] {
                        let v = UnsafeRawBufferPointer(rebasing: line[start..<end])
                        if !(v.isEmpty || (schema.format == .w3c && v.count == 1 && v[0] == 0x2D)) { put(f, v) }
                    }
                    column += 1
                    start = end + 1
                }
                return true
            }
            if done { return }
        }
        let pairs = store.fields(of: id)
        let plainLine = schema.format == .w3c || schema.format == .csv || schema.format == .csvTail
        for p in pairs {
            guard let f = names.firstIndex(of: p.name.lowercased()), spans[f].count < 0, f != keywordsIndex else { continue }
            if p.value.isEmpty && plainLine { continue }
            put(f, p.value)
        }
        if let k = keywordsIndex {
            if plainLine { store.withRawLine(id) { put(k, $0) } } else { put(k, pairs.map(\.value).joined(separator: "\n") + Self.cmdletMessage(pairs)) }
        }
    }

    /// `\nCmdlet succeeded. Cmdlet NAME, parameters PARAMETERS.` (`failed` for event 6): the cmdlet log's message
    /// as Event Viewer renders it from the record's first two values; empty for other events.
    static func cmdletMessage(_ pairs: [(name: String, value: String)]) -> String {
        guard let name = pairs.first(where: { $0.name == "CmdletName" })?.value,
              let parameters = pairs.first(where: { $0.name == "CmdletParameters" })?.value else { return "" }
        return "\n" + CmdletEvent.message(name, parameters, failed: pairs.first { $0.name == "EventID" }?.value == "6")
    }

    /// Where `loadCSV` found the needed columns (reused: one event after another).
    private var located: [Range<Int>] = []

    /// The needed columns of an unquoted CSV line, each found by `ColumnLocator` (HttpProxy's URL query is
    /// column 66 of 74: cutting the line separator by separator to reach it was most of a Sigma pass's scan).
    /// False when a quote comes before a needed column ends, or the line is short: the full split decides.
    private func loadCSV(_ line: UnsafeRawBufferPointer, _ cols: [[Int]]) -> Bool {
        located.removeAll(keepingCapacity: true)
        for column in cols.indices where !cols[column].isEmpty {
            guard let r = ColumnLocator.locate(column, in: line, separator: 0x2C) else { return false }
            located.append(r)
        }
        if let k = keywordsIndex { put(k, line) }
        var next = 0
        for column in cols.indices where !cols[column].isEmpty {
            let r = located[next]
            next += 1
            if r.isEmpty { continue }
            for f in cols[column] { put(f, UnsafeRawBufferPointer(rebasing: line[r])) }
        }
        return true
    }

    private func put(_ f: Int, _ bytes: UnsafeRawBufferPointer) {
        spans[f] = (scratch.count, bytes.count)
        scratch.append(contentsOf: bytes)
    }

    private func put(_ f: Int, _ s: String) {
        var s = s
        s.withUTF8 { put(f, UnsafeRawBufferPointer($0)) }
    }
}

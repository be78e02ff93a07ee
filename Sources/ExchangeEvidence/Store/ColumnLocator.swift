/// Finds one column of a delimited line without splitting it: eight bytes at a time, counting separators by
/// population count and stepping into a word only when it holds the wanted separator. Exports read the URL
/// query (column 66 of a 74-column HttpProxy line) of every request this way; a separator-by-separator
/// `memchr` walk cost as much as rendering the rest of the row. Sigma rules read it the same way.
public enum ColumnLocator {
    /// The bytes of column `column` of `line` split on `separator`, or nil when the line has fewer columns or a
    /// `"` occurs before the column ends (quoted CSV needs the full RFC 4180 split: `FieldSchema.fields`).
    @inlinable
    public static func locate(_ column: Int, in line: UnsafeRawBufferPointer, separator: UInt8) -> Range<Int>? {
        let n = line.count
        guard let base = line.baseAddress else { return column == 0 ? 0..<0 : nil }
        let sep = UInt64(separator) &* 0x0101_0101_0101_0101
        let quote = UInt64(UInt8(ascii: "\"")) &* 0x0101_0101_0101_0101
        var seen = 0          // separators before position i
        var start = column == 0 ? 0 : -1
        var i = 0
        // Thirty-two bytes a step while the wanted column has not begun, with one branch where the word loop below
        // takes four; it takes over at the step that holds a quote or the column's start. A third less time per
        // query in an export.
        if start < 0 {
            while i + 32 <= n {
                let w0 = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let w1 = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                let w2 = base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                let w3 = base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                let c = SeparatorScan.zeroBytes(w0 ^ sep).nonzeroBitCount + SeparatorScan.zeroBytes(w1 ^ sep).nonzeroBitCount
                    + SeparatorScan.zeroBytes(w2 ^ sep).nonzeroBitCount + SeparatorScan.zeroBytes(w3 ^ sep).nonzeroBitCount
                let q = SeparatorScan.zeroBytes(w0 ^ quote) | SeparatorScan.zeroBytes(w1 ^ quote)
                    | SeparatorScan.zeroBytes(w2 ^ quote) | SeparatorScan.zeroBytes(w3 ^ quote)
                if q != 0 || seen + c >= column { break }
                seen += c
                i += 32
            }
        }
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if SeparatorScan.zeroBytes(w ^ quote) != 0 { break }                 // a quote: decide byte by byte from here
            var m = SeparatorScan.zeroBytes(w ^ sep)
            let c = m.nonzeroBitCount
            if start < 0 && seen + c < column || start >= 0 && c == 0 {
                seen += c
                i += 8
                continue
            }
            while m != 0 {
                let at = i + m.trailingZeroBitCount >> 3
                seen += 1
                if start >= 0 { return start..<at }
                if seen == column { start = at + 1 }
                m &= m &- 1
            }
            i += 8
        }
        while i < n {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b == UInt8(ascii: "\"") { return nil }
            if b == separator {
                seen += 1
                if start >= 0 { return start..<i }
                if seen == column { start = i + 1 }
            }
            i += 1
        }
        return start >= 0 ? start..<n : nil
    }
}

extension EventStore {
    /// Calls `body` with the URL query of a request event as stored (IIS's `-` for empty is empty), without
    /// building a String; `nil` falls back to `urlQuery(of:)` for quoted CSV lines.
    public func withURLQuery<R>(_ id: EventID, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let column = schemas[Int(schema[id])].queryColumn else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        if let located = withColumn(column, of: id, body) { return located }
        var text = urlQuery(of: id)
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with field `name` of event `id` as its line holds it (IIS's `-` for empty is empty), or nil when
    /// the event has no such field: what `field(_:of:)` gives, without building a String for a delimited line
    /// (rules read a column of every line a byte search passed).
    public func withField<R>(_ name: String, of id: EventID, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        if let column = schemas[Int(schema[id])].column(name), let located = withColumn(column, of: id, { body($0) }) { return located }
        guard var text = field(name, of: id) else { return body(nil) }
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Column `column` of a CSV or W3C line located in place; nil for other formats and where `ColumnLocator`
    /// cannot tell (a quote before it, fewer columns).
    private func withColumn<R>(_ column: Int, of id: EventID, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        let s = schemas[Int(schema[id])]
        let separator: UInt8? = s.format == .csv ? 0x2C : s.format == .w3c ? 0x20 : nil
        guard let separator else { return nil }
        return withRawLine(id) { line in
            guard let r = ColumnLocator.locate(column, in: line, separator: separator) else { return nil }
            let value = UnsafeRawBufferPointer(rebasing: line[r])
            if s.format == .w3c && value.count == 1 && value[0] == UInt8(ascii: "-") {
                return body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return body(value)
        }
    }
}

/// The URL query of request lines, found with `ColumnLocator` from where each schema keeps it, looked up once:
/// an export reads the query of millions of events, and `withURLQuery` looks up the schema for each.
public struct URLQueryReader: Sendable {
    /// Per schema: the query's column and the separator of its lines; column -1 when the schema has no query, and
    /// separator 0 when its lines are not simply delimited.
    private let places: [(column: Int, separator: UInt8, w3c: Bool)]

    public init(_ store: EventStore) {
        places = store.schemas.map { s in
            guard let column = s.queryColumn else { return (-1, 0, false) }
            return (column, s.format == .csv ? 0x2C : s.format == .w3c ? 0x20 : 0, s.format == .w3c)
        }
    }

    /// The query without the `?` a CSV log writes before it (HttpProxy's `UrlQuery` is `?a=1`), for text that puts
    /// its own `?` after the path (a message, ECS's `url.query`); W3C logs write none, so one there is the client's
    /// (`/x??a=1`) and stays.
    public static func withoutLogsMark(_ query: UnsafeRawBufferPointer, w3c: Bool) -> UnsafeRawBufferPointer {
        !w3c && query.first == UInt8(ascii: "?") ? UnsafeRawBufferPointer(rebasing: query.dropFirst()) : query
    }

    /// Whether lines of schema `schema` are W3C (IIS): their query comes without a `?` of the log's own.
    public func isW3C(schema: Int) -> Bool { places[schema].w3c }

    /// The query in `line`, a line of schema `schema`, as `withURLQuery` gives it (empty when the schema has none,
    /// and for IIS's `-`); nil when only the full split finds it (a quoted CSV line, a line of another format).
    @inline(__always)
    public func query(schema: Int, in line: UnsafeRawBufferPointer) -> Range<Int>? {
        let place = places[schema]
        if place.column < 0 { return 0..<0 }
        guard place.separator != 0, let r = ColumnLocator.locate(place.column, in: line, separator: place.separator) else { return nil }
        if place.w3c && r.count == 1 && line[r.lowerBound] == UInt8(ascii: "-") { return 0..<0 }
        return r
    }
}

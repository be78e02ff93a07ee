#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the fields of one line are delimited, so a stored line can be split again on demand.
public enum LineFormat: UInt8, Sendable, Hashable {
    /// RFC 4180 comma-separated values (Exchange logs).
    case csv
    /// W3C extended log: single spaces, `-` for empty (IIS).
    case w3c
    /// `Name=Value` pairs separated by tabs, values escaped with `\t`, `\n`, `\\` (rendered records such as EVTX).
    case keyValue
    /// One opaque line: the only field is `line`.
    case plain
    /// Comma-separated values whose last column takes the rest of the line as written: advisory excerpts that
    /// keep a time and the text after it, commas and quotes included (HelseCERT's ECP `TimeStamp,EventData`,
    /// whose cmdlets quote with `'` and hold commas of their own).
    case csvTail
}

/// The column names of a group of lines, looked up by name (case-insensitively) and never by position.
public final class FieldSchema: @unchecked Sendable, Hashable {
    public let format: LineFormat
    public let names: [String]
    private let index: [String: Int]
    private let hashCache: Int
    /// Position of the URL query (`cs-uri-query` in IIS logs, `UrlQuery` in HttpProxy logs), looked up once:
    /// exports read it for every request.
    public let queryColumn: Int?

    /// How many distinct schemas a file, and the whole store, can hold: events keep a 2-byte schema index.
    /// The last slot is kept for `plain`, which takes the lines of any schema past the limit.
    public static let limit = Int(UInt16.max)
    /// One opaque line: what lines become when their schema cannot be stored.
    public static let plain = FieldSchema(format: .plain, names: ["line"])

    public init(format: LineFormat, names: [String]) {
        self.format = format
        self.names = names
        var idx: [String: Int] = [:]
        for (i, n) in names.enumerated() where idx[n.lowercased()] == nil { idx[n.lowercased()] = i }
        self.index = idx
        queryColumn = idx["cs-uri-query"] ?? idx["urlquery"]
        var h = Hasher()
        h.combine(format)
        h.combine(names)
        hashCache = h.finalize()
    }

    /// This schema for a line cut off after `complete` whole values: their names, then the next column's name
    /// with ` (cut off)` after it (`RoutingType (cut off)`): a name no rule or indicator asks for, so they see the
    /// whole values (the request's time, method, address) and never a half user agent, while `show` still says
    /// which column the partial value began (reviewer: it showed `(cut off)` alone).
    public func cutOff(after complete: Int) -> FieldSchema {
        let partial = complete < names.count ? names[complete] + " (cut off)" : "(cut off)"
        return FieldSchema(format: format, names: Array(names.prefix(complete)) + [partial])
    }

    /// Position of a column, matching the name case-insensitively.
    public func column(_ name: String) -> Int? { index[name.lowercased()] }

    /// Names given to more than one column (case-insensitively), with their 1-based columns: fields read the
    /// first, so a header naming one twice (written by hand, or to hide a value) must say so.
    public var repeatedNames: [(name: String, columns: [Int])] {
        var seen: [String: [Int]] = [:], order: [String] = []
        for (i, n) in names.enumerated() {
            let k = n.lowercased()
            if seen[k] == nil { order.append(n) }
            seen[k, default: []].append(i + 1)
        }
        return order.compactMap { n in seen[n.lowercased()].flatMap { $0.count > 1 ? (n, $0) : nil } }
    }


    public static func == (a: FieldSchema, b: FieldSchema) -> Bool {
        a === b || (a.hashCache == b.hashCache && a.format == b.format && a.names == b.names)
    }
    public func hash(into h: inout Hasher) { h.combine(hashCache) }

    /// Splits a stored line into (name, value) pairs. Values are unquoted and unescaped.
    public func fields(of line: UnsafeRawBufferPointer) -> [(name: String, value: String)] {
        switch format {
        case .csv:
            let values = CSVLine.split(line)
            return pair(values)
        case .w3c:
            let values = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map {
                $0.count == 1 && $0.first == UInt8(ascii: "-") ? "" : String(decoding: $0, as: UTF8.self)
            }
            return pair(values)
        case .keyValue:
            return KeyValueLine.split(line)
        case .plain:
            return [("line", String(decoding: line, as: UTF8.self))]
        case .csvTail:
            var values = CSVLine.split(line, limit: names.count)
            if values.count == names.count { values[values.count - 1] = CSVLine.unquotedTail(values[values.count - 1]) }
            return pair(values)
        }
    }

    /// One value by position, without splitting the rest of the line (a quote before the column falls back to
    /// the full RFC 4180 split).
    public func value(at column: Int, of line: UnsafeRawBufferPointer) -> String? {
        if format == .csv || format == .w3c,
           let r = ColumnLocator.locate(column, in: line, separator: format == .csv ? 0x2C : 0x20) {
            return String(decoding: line[r], as: UTF8.self)
        }
        let all = fields(of: line)
        return column < all.count ? all[column].value : nil
    }

    private func pair(_ values: [String]) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        out.reserveCapacity(max(values.count, names.count))
        for (i, v) in values.enumerated() {
            out.append((i < names.count ? names[i] : "extra\(i - names.count + 1)", v))
        }
        return out
    }
}

/// RFC 4180 field splitting for single lines of Exchange CSV logs.
public enum CSVLine {
    /// Splits one line into unquoted values (`""` inside quotes becomes `"`). With a `limit`, the last of that
    /// many values is the rest of the line as written (`LineFormat.csvTail`).
    public static func split(_ line: UnsafeRawBufferPointer, limit: Int = .max) -> [String] {
        splitNoting(line, limit: limit).values
    }

    /// `split`, and the index of the first value whose quoting is broken, or nil: a quote that never closes (it took
    /// the rest of the line), or one that closes before the value ends (`"C:\x.aspx,"12",…`: a quote lost).
    /// Where that value and the ones after it end is not known.
    public static func splitNoting(_ line: UnsafeRawBufferPointer, limit: Int = .max) -> (values: [String], broken: Int?) {
        var broken: Int?
        var out: [String] = []
        var field: [UInt8] = []
        var i = 0
        let n = line.count
        var inQuotes = false
        var atFieldStart = true
        while i < n {
            if atFieldStart && out.count == limit - 1 {
                out.append(String(decoding: line[i...], as: UTF8.self))
                return (out, nil)
            }
            let c = line[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < n && line[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 } else {
                        inQuotes = false
                        if i + 1 < n && line[i + 1] != UInt8(ascii: ","), broken == nil { broken = out.count }
                    }
                } else { field.append(c) }
            } else if c == UInt8(ascii: ",") {
                out.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
                i += 1
                continue
            } else if c == UInt8(ascii: "\"") && atFieldStart {
                inQuotes = true
            } else {
                field.append(c)
            }
            atFieldStart = false
            i += 1
        }
        out.append(String(decoding: field, as: UTF8.self))
        return (out, broken ?? (inQuotes ? out.count - 1 : nil))
    }

    /// The problem of a line whose quoting breaks in value `k` (`splitNoting`), naming its column.
    static func brokenQuote(_ k: Int, names: [String], line: Int) -> LoadProblem {
        let name = k < names.count ? " (\(names[k]))" : ""
        return LoadProblem(line: line, "line \(line): the quotes of field \(k + 1)\(name) do not close where the field ends: "
                           + "the \(k) field\(k == 1 ? "" : "s") before it are read, the rest of the line is kept as written")
    }

    /// The last value of a `csvTail` line (the rest of the line, as written) with its quoting undone: `"…"` as
    /// RFC 4180 has it, and an advisory's `'…'` around a value that was so quoted (HelseCERT's ECP excerpt, whose
    /// `ExternalUrl=` value reads `''http://f/<script language=""JScript"">…''`): its `''` and `""` are one quote each.
    public static func unquotedTail(_ value: String) -> String {
        guard value.count >= 2, let q = value.first, q == "'" || q == "\"", value.last == q else { return value }
        var inner = String(value.dropFirst().dropLast())
        if q == "'" { inner = inner.replacingOccurrences(of: "''", with: "'") }
        return inner.replacingOccurrences(of: "\"\"", with: "\"")
    }

    public static func split(_ s: String, limit: Int = .max) -> [String] {
        var s = s
        return s.withUTF8 { split(UnsafeRawBufferPointer($0), limit: limit) }
    }

    /// RFC 4180 quoting when the value needs it, on UTF-8 bytes (exports run it for every cell of millions of rows).
    public static func quote(_ s: String) -> String {
        var needs = false
        for b in s.utf8 where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D { needs = true; break }
        guard needs else { return s }
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}

/// The `Name=Value<TAB>Name=Value` form used for records that are rendered rather than read line by line.
public enum KeyValueLine {
    public static func escape(_ v: String) -> String {
        var out = ""
        out.reserveCapacity(v.utf8.count)
        for ch in v.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Builds one line from pairs; names must not contain `=` or tabs.
    public static func join(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "\t")
    }

    public static func split(_ line: UnsafeRawBufferPointer) -> [(name: String, value: String)] {
        let text = String(decoding: line, as: UTF8.self)
        return text.split(separator: "\t", omittingEmptySubsequences: true).map { part in
            guard let eq = part.firstIndex(of: "=") else { return (String(part), "") }
            return (String(part[..<eq]), unescape(part[part.index(after: eq)...]))
        }
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            if c == "\\", let n = it.next() {
                switch n {
                case "t": out.append("\t")
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(n)
                }
            } else { out.append(c) }
        }
        return out
    }
}

/// Reads indicator lists written by hand or exported by other tools.
///
/// - Plain lists: one indicator a line, `#` starts a comment line, the type is detected from the value
///   (or given as a prefix, `ua:python-requests/2.25.1`); LOKI-style `value;comment` is accepted for
///   hashes and IPs. Defanged values are refanged.
/// - exhunt tables: a tab-separated header `type value date source note` (the built-in sets use it).
enum PlainListLoader {
    static func loadPlain(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        forEachLine(bytes) { lineNo, text in
            var value = text
            var note = ""
            var explicit: IndicatorType?
            if let colon = value.firstIndex(of: ":"), let t = IndicatorType(name: String(value[..<colon])),
               value[value.index(after: colon)...].first != "/" || t == .url {
                explicit = t
                value = String(value[value.index(after: colon)...]).trimmingASCIIWhitespace()
            }
            if explicit == nil, let semi = value.firstIndex(of: ";") {
                let head = IndicatorNormalizer.refang(String(value[..<semi]))
                if let t = IndicatorNormalizer.detectType(head), t == .hash || t == .ip {
                    note = String(value[value.index(after: semi)...]).trimmingASCIIWhitespace()
                    value = head
                }
            }
            let refanged = IndicatorNormalizer.refang(value)
            guard let type = explicit ?? IndicatorNormalizer.detectType(refanged) else {
                c.problem(lineNo, "cannot tell the indicator type of \(IndicatorNormalizer.quoted(value)); prefix it with ip:, ua:, path:, name:, hash:, domain: or url:")
                return
            }
            c.add(type, refanged, line: lineNo, note: note)
        }
    }

    static func loadTable(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        var columns: [String: Int] = [:]
        forEachLine(bytes, keepTabs: true) { lineNo, text in
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map {
                String($0).trimmingASCIIWhitespace()
            }
            if columns.isEmpty {
                for (i, f) in fields.enumerated() { columns[f.lowercased()] = i }
                return
            }
            func field(_ name: String) -> String { columns[name].flatMap { $0 < fields.count ? fields[$0] : nil } ?? "" }
            guard let type = IndicatorType(name: field("type")) else {
                c.problem(lineNo, "unknown type '\(field("type"))'")
                return
            }
            let source = field("source")
            c.add(type, field("value"), line: lineNo, date: field("date"), note: field("note"),
                  source: source.isEmpty ? nil : source)
        }
    }

    /// True when the first line that is not a comment is an exhunt table header.
    static func isTable(_ bytes: [UInt8]) -> Bool {
        var first: String?
        forEachLine(bytes, keepTabs: true) { _, text in if first == nil { first = text } }
        return first?.lowercased().hasPrefix("type\tvalue") == true
    }

    /// Calls `body` with each non-empty, non-comment line (trimmed) and its 1-based number.
    private static func forEachLine(_ bytes: [UInt8], keepTabs: Bool = false, _ body: (Int, String) -> Void) {
        var lineNo = 0
        var start = 0
        var i = 0
        let n = bytes.count
        while start < n {
            i = start
            while i < n && bytes[i] != 0x0A { i += 1 }
            lineNo += 1
            var s = start, e = i
            if lineNo == 1, e - s >= 3, bytes[s] == 0xEF, bytes[s + 1] == 0xBB, bytes[s + 2] == 0xBF { s += 3 }
            while e > s, bytes[e - 1] == 0x0D || bytes[e - 1] == 0x20 || (!keepTabs && bytes[e - 1] == 0x09) { e -= 1 }
            while s < e, bytes[s] == 0x20 || (!keepTabs && bytes[s] == 0x09) { s += 1 }
            if s < e && bytes[s] != UInt8(ascii: "#") {
                body(lineNo, String(decoding: bytes[s..<e], as: UTF8.self))
            }
            start = i + 1
        }
    }
}

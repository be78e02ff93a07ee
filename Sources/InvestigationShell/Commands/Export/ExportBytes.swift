import ExchangeEvidence

/// A growing byte buffer that export rows are written into: exports of millions of events are built as
/// bytes, not as `String`s or `JSONValue` trees (each of which allocates per field).
///
/// Values that are printable ASCII without quotes or backslashes — nearly all log text — are copied as
/// they are. Anything else goes through the same escaping as the rest of exhunt (`JSONValue.quote`,
/// `CSVLine.quote`), so the bytes are those the String-based renderers would give.
struct ExportBytes {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// A decimal integer.
    mutating func append(int n: Int) {
        if n >= 0 && n < 10 { bytes.append(0x30 &+ UInt8(n)); return }
        var v = n.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for 20 digits, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while v > 0 {
                buf[23 - count] = 0x30 &+ UInt8(v % 10)
                v /= 10
                count += 1
            }
            if n < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: buf[(24 - count)...])
        }
    }

    /// A JSON string literal with quotes.
    mutating func appendJSON(_ value: UnsafeRawBufferPointer) {
        if Self.isPlain(value, csv: false) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: value)
            bytes.append(UInt8(ascii: "\""))
        } else {
            var out = ""
            JSONValue.quote(String(decoding: value, as: UTF8.self), into: &out)
            bytes.append(contentsOf: out.utf8)
        }
    }

    mutating func appendJSON(_ value: String) {
        var s = value
        s.withUTF8 { appendJSON(UnsafeRawBufferPointer($0)) }
    }

    /// One RFC 4180 cell (quoted only when it must be).
    mutating func appendCSV(_ value: UnsafeRawBufferPointer) {
        if Self.isPlain(value, csv: true) {
            bytes.append(contentsOf: value)
        } else {
            bytes.append(contentsOf: CSVLine.quote(String(decoding: value, as: UTF8.self)).utf8)
        }
    }

    mutating func appendCSV(_ value: String) {
        var s = value
        s.withUTF8 { appendCSV(UnsafeRawBufferPointer($0)) }
    }

    /// Timesketch's `datetime`: `2021-03-03T06:49:42.162+00:00` (ISO 8601, UTC, milliseconds).
    mutating func appendISO(_ ms: Int64, zulu: Bool = false) {
        var (secs, milli) = ms.quotientAndRemainder(dividingBy: 1000)
        if milli < 0 { milli += 1000; secs -= 1 }
        var (days, sod) = secs.quotientAndRemainder(dividingBy: 86400)
        if sod < 0 { sod += 86400; days -= 1 }
        let (y, mo, d) = Timestamp.civil(days: Int(days))
        pad(y, 4); bytes.append(UInt8(ascii: "-")); pad(mo, 2); bytes.append(UInt8(ascii: "-")); pad(d, 2)
        bytes.append(UInt8(ascii: "T"))
        pad(Int(sod / 3600), 2); bytes.append(UInt8(ascii: ":")); pad(Int(sod / 60 % 60), 2)
        bytes.append(UInt8(ascii: ":")); pad(Int(sod % 60), 2); bytes.append(UInt8(ascii: ".")); pad(Int(milli), 3)
        if zulu { bytes.append(UInt8(ascii: "Z")) } else { append("+00:00") }
    }

    private mutating func pad(_ v: Int, _ width: Int) {
        guard v >= 0 && v < 10_000 else { append(int: v); return }
        var div = 1
        for _ in 1..<width { div *= 10 }
        if v >= div * 10 { append(int: v); return }
        while div > 0 {
            bytes.append(0x30 &+ UInt8(v / div % 10))
            div /= 10
        }
    }

    /// True when `value` can be written as it is: printable ASCII, and for CSV none of `,` `"` CR LF;
    /// for JSON no `"` or `\`.
    @inline(__always)
    static func isPlain(_ value: UnsafeRawBufferPointer, csv: Bool) -> Bool {
        for b in value {
            if b < 0x20 || b > 0x7E { return false }
            if b == UInt8(ascii: "\"") { return false }
            if csv ? b == UInt8(ascii: ",") : b == UInt8(ascii: "\\") { return false }
        }
        return true
    }
}

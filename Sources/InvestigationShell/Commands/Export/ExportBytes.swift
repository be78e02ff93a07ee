import ExchangeEvidence

/// A growing byte buffer that export rows are written into: exports of millions of events are built as
/// bytes, not as `String`s or `JSONValue` trees (each of which allocates per field).
///
/// Values that are printable ASCII without quotes or backslashes — nearly all log text — are copied as
/// they are. Anything else goes through the same escaping as the rest of exhunt (`JSONValue.quote`,
/// `CSVLine.quote`), so the bytes are those the String-based renderers would give.
struct ExportBytes {
    var bytes: [UInt8] = []
    /// Room a row writer may reuse for a value it builds before escaping it (one allocation per block of
    /// rows instead of one per row).
    var scratch: [UInt8] = []
    /// Room a row writer builds a whole row in through a pointer before appending it (`RequestRowCSV`).
    var row: [UInt8] = []
    /// The ECS document `export events` builds each row in, made by the lane that first needs it and reused.
    var document: ECSDocument?

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func append(_ other: UnsafeRawBufferPointer) { bytes.append(contentsOf: other) }

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

    /// A JSON string literal with quotes, escaped as `JSONValue.quote` escapes: `"` `\\` and the usual
    /// short forms, other C0 controls, DEL, C1 controls and bidirectional overrides as `\\u00XX`.
    mutating func appendJSON(_ value: UnsafeRawBufferPointer) {
        let mark = bytes.count
        bytes.append(UInt8(ascii: "\""))
        var run = 0, i = 0
        let n = value.count
        let base = value.baseAddress
        while i < n {
            // Eight bytes at a time while none needs escaping (the bulk of an export's text).
            if i + 8 <= n, let base {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let odd = w | SeparatorScan.lowBytes(w) | SeparatorScan.zeroBytes(w ^ 0x7F7F_7F7F_7F7F_7F7F)
                    | SeparatorScan.zeroBytes(w ^ 0x2222_2222_2222_2222) | SeparatorScan.zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
                if odd & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            }
            let b = value[i]
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { i += 1; continue }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[run..<i]))
            if b < 0x80 {
                switch b {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                default: appendUnicodeEscape(UInt32(b))
                }
                i += 1
            } else {
                guard let (scalar, length) = Self.scalar(value, at: i) else {
                    // Invalid UTF-8: the String route repairs it exactly as every other renderer does.
                    bytes.removeSubrange(mark...)
                    var out = ""
                    JSONValue.quote(String(decoding: value, as: UTF8.self), into: &out)
                    bytes.append(contentsOf: out.utf8)
                    return
                }
                if Self.isInvisibleControl(scalar) { appendUnicodeEscape(scalar) } else {
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[i..<(i + length)]))
                }
                i += length
            }
            run = i
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[run..<n]))
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendJSON(_ value: String) {
        var s = value
        s.withUTF8 { appendJSON(UnsafeRawBufferPointer($0)) }
    }

    /// A JSON value, serialized as `JSONValue.serialized()` does (compact): by the same `JSONWriter`, writing
    /// straight into these bytes (swapped in and out, not copied).
    mutating func appendJSON(_ value: JSONValue) {
        var writer = JSONWriter(indent: nil, emit: nil)
        swap(&writer.out, &self)
        writer.value(value, level: 0)
        swap(&writer.out, &self)
    }

    /// `\uNNNN`, or beyond the BMP (the tag characters) the UTF-16 surrogate pair JSON spells it with.
    private mutating func appendUnicodeEscape(_ v: UInt32) {
        if v > 0xFFFF {
            appendUnicodeEscape(0xD800 + ((v - 0x10000) >> 10))
            appendUnicodeEscape(0xDC00 + ((v - 0x10000) & 0x3FF))
            return
        }
        append("\\u")
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { digits in
            for shift in stride(from: 12, through: 0, by: -4) { bytes.append(digits[Int((v >> UInt32(shift)) & 0xF)]) }
        }
    }

    /// One CSV cell as `CSVCell.field` writes it: control and bidi characters shown as the terminal shows them,
    /// a leading `=` `+` `-` `@` neutralised with `'`, RFC 4180 quotes only when needed. Printable ASCII — nearly
    /// every log value — is handled here byte by byte; anything else takes the String route.
    mutating func appendCSV(_ value: UnsafeRawBufferPointer) {
        // Eight bytes at a time: any byte outside printable ASCII takes the String route; a comma or a quote
        // means the cell is quoted.
        let n = value.count
        var i = 0
        var odd: UInt64 = 0, special: UInt64 = 0
        if let base = value.baseAddress {
            while i + 8 <= n {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                odd |= w | SeparatorScan.lowBytes(w) | SeparatorScan.zeroBytes(w ^ 0x7F7F_7F7F_7F7F_7F7F)
                special |= SeparatorScan.zeroBytes(w ^ 0x2C2C_2C2C_2C2C_2C2C) | SeparatorScan.zeroBytes(w ^ 0x2222_2222_2222_2222)
                i += 8
            }
        }
        while i < n {
            let b = value[i]
            if b < 0x20 || b > 0x7E { odd |= 0x80 }
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") { special |= 0x80 }
            i += 1
        }
        if odd & 0x8080_8080_8080_8080 != 0 {
            bytes.append(contentsOf: CSVCell.field(String(decoding: value, as: UTF8.self)).utf8)
            return
        }
        let quote = special != 0
        if quote { bytes.append(UInt8(ascii: "\"")) }
        if CSVCell.isFormula(value) { bytes.append(UInt8(ascii: "'")) }
        guard quote else { bytes.append(contentsOf: value); return }
        var run = 0
        for (i, b) in value.enumerated() where b == UInt8(ascii: "\"") {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[run...i]))   // the quote, then its double
            run = i
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[run...]))
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendCSV(_ value: String) {
        var s = value
        s.withUTF8 { appendCSV(UnsafeRawBufferPointer($0)) }
    }

    /// C1 controls, bidirectional controls and other invisible format characters: able to hide text or to
    /// reorder or drive what a terminal shows (the set `ControlCharacters` defines for every renderer).
    @inline(__always)
    static func isInvisibleControl(_ u: UInt32) -> Bool {
        Unicode.Scalar(u).map(ControlCharacters.isUnsafe) ?? false
    }

    /// The scalar starting at `i` and its length, or nil where the bytes are not well-formed UTF-8.
    @inline(__always)
    static func scalar(_ p: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int)? {
        let b0 = p[i], n = p.count
        func cont(_ k: Int) -> UInt32? { i + k < n && p[i + k] & 0xC0 == 0x80 ? UInt32(p[i + k] & 0x3F) : nil }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = cont(1) else { return nil }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            guard let c1 = cont(1), let c2 = cont(2) else { return nil }
            let u = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            return u < 0x800 || (0xD800...0xDFFF).contains(u) ? nil : (u, 3)
        case 0xF0...0xF4:
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return nil }
            let u = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            return u < 0x10000 || u > 0x10FFFF ? nil : (u, 4)
        default:
            return nil
        }
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
}

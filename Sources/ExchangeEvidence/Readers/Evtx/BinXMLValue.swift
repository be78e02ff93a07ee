/// Renders BinXML substitution values as Windows writes them in its event XML (`wevtutil qe /f:xml`):
/// hex integers without padding (`0xf4be`), GUIDs in braces, SIDs as `S-1-…`, FILETIMEs with seven
/// fractional digits, binary as upper-case hex. Values go straight into a `ByteSink`, never via String.
enum BinXMLValue {
    static let null: UInt8 = 0x00, string: UInt8 = 0x01, ansiString: UInt8 = 0x02
    static let fileTime: UInt8 = 0x11, systemTime: UInt8 = 0x12, binXML: UInt8 = 0x21, array: UInt8 = 0x80

    /// Fixed element sizes of the scalar types (0 = variable), for arrays and validation.
    static func fixedSize(_ type: UInt8) -> Int {
        switch type & 0x7F {
        case 0x03, 0x04: return 1
        case 0x05, 0x06: return 2
        case 0x07, 0x08, 0x0B, 0x0D, 0x14: return 4
        case 0x09, 0x0A, 0x0C, 0x11, 0x15: return 8
        case 0x0F, 0x12: return 16
        default: return 0
        }
    }

    /// Renders a value of `type` held in `p[0..<n]`. Arrays are joined with `,`.
    static func render(_ type: UInt8, _ p: UnsafeRawPointer, _ n: Int, into out: inout ByteSink) {
        if type & array != 0 {
            renderArray(type & 0x7F, p, n, into: &out)
            return
        }
        switch type {
        case null: return
        case string: out.appendUTF16(p, units: n / 2)
        case ansiString: appendANSI(p, n, into: &out)
        case 0x03: if n >= 1 { out.appendDecimal(Int64(p.load(as: Int8.self))) }
        case 0x04: if n >= 1 { out.appendDecimal(UInt64(p.load(as: UInt8.self))) }
        case 0x05: if n >= 2 { out.appendDecimal(Int64(p.loadUnaligned(as: Int16.self))) }
        case 0x06: if n >= 2 { out.appendDecimal(UInt64(p.loadUnaligned(as: UInt16.self))) }
        case 0x07: if n >= 4 { out.appendDecimal(Int64(p.loadUnaligned(as: Int32.self))) }
        case 0x08: if n >= 4 { out.appendDecimal(UInt64(p.loadUnaligned(as: UInt32.self))) }
        case 0x09: if n >= 8 { out.appendDecimal(p.loadUnaligned(as: Int64.self)) }
        case 0x0A: if n >= 8 { out.appendDecimal(p.loadUnaligned(as: UInt64.self)) }
        case 0x0B: if n >= 4 { appendReal(Double(p.loadUnaligned(as: Float.self)), float: true, into: &out) }
        case 0x0C: if n >= 8 { appendReal(p.loadUnaligned(as: Double.self), float: false, into: &out) }
        case 0x0D: if n >= 1 { out.append(anyNonZero(p, n) ? "true" : "false") }
        case 0x0E: for k in 0..<n { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        case 0x0F: if n >= 16 { appendGUID(p, into: &out) }
        case 0x10:
            if n == 4 { out.appendHex(UInt64(p.loadUnaligned(as: UInt32.self))) } else if n >= 8 {
                out.appendHex(p.loadUnaligned(as: UInt64.self))
            }
        case fileTime: if n >= 8 { appendFileTime(p.loadUnaligned(as: UInt64.self), into: &out) }
        case systemTime: if n >= 16 { appendSystemTime(p, into: &out) }
        case 0x13: appendSID(p, n, into: &out)
        case 0x14: if n >= 4 { out.appendHex(UInt64(p.loadUnaligned(as: UInt32.self))) }
        case 0x15: if n >= 8 { out.appendHex(p.loadUnaligned(as: UInt64.self)) }
        default:
            // EvtHandle, EvtXml and unknown types: the bytes as hex, so nothing is silently lost.
            for k in 0..<n { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        }
    }

    private static func anyNonZero(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        for k in 0..<n where p.load(fromByteOffset: k, as: UInt8.self) != 0 { return true }
        return false
    }

    /// Calls `body` with each item of an array value (type without the array bit, bytes, size).
    static func forEachItem(_ type: UInt8, _ p: UnsafeRawPointer, _ n: Int,
                            _ body: (UInt8, UnsafeRawPointer, Int) -> Void) {
        let base = type & 0x7F
        if base == string {
            var start = 0, k = 0
            let units = n / 2
            while k < units {
                if p.loadUnaligned(fromByteOffset: k * 2, as: UInt16.self) == 0 {
                    body(base, p + start * 2, (k - start) * 2)
                    start = k + 1
                }
                k += 1
            }
            if start < units { body(base, p + start * 2, (units - start) * 2) }
            return
        }
        let size = fixedSize(base)
        guard size > 0 else { body(0x0E, p, n); return }
        var at = 0
        while at + size <= n { body(base, p + at, size); at += size }
    }

    private static func renderArray(_ type: UInt8, _ p: UnsafeRawPointer, _ n: Int, into out: inout ByteSink) {
        if type == string {
            // NUL-terminated UTF-16 strings back to back.
            var start = 0, k = 0, first = true
            let units = n / 2
            while k <= units {
                if k == units || p.loadUnaligned(fromByteOffset: k * 2, as: UInt16.self) == 0 {
                    if k > start || k < units {
                        if !first { out.append(UInt8(ascii: ",")) }
                        out.appendUTF16(p + start * 2, units: k - start)
                        first = false
                    }
                    start = k + 1
                }
                k += 1
            }
            return
        }
        let size = fixedSize(type)
        if size == 0 || type == 0x13 {
            for k in 0..<n { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
            return
        }
        var at = 0
        while at + size <= n {
            if at > 0 { out.append(UInt8(ascii: ",")) }
            render(type, p + at, size, into: &out)
            at += size
        }
    }

    /// Windows-1252 text (the default ANSI code page) as UTF-8, up to a NUL.
    private static func appendANSI(_ p: UnsafeRawPointer, _ n: Int, into out: inout ByteSink) {
        for k in 0..<n {
            let b = p.load(fromByteOffset: k, as: UInt8.self)
            if b == 0 { return }
            if b >= 0x80 && b < 0xA0 { out.appendScalar(UInt32(cp1252[Int(b - 0x80)])) } else { out.appendScalar(UInt32(b)) }
        }
    }

    private static let cp1252: [UInt16] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Integral reals without a fraction (`1`, not `1.0`), others in Swift's shortest round-trip form.
    private static func appendReal(_ v: Double, float: Bool, into out: inout ByteSink) {
        if v == v.rounded(), abs(v) < 1e15 {
            out.appendDecimal(Int64(v))
            return
        }
        out.append(Array((float ? "\(Float(v))" : "\(v)").utf8))
    }

    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`: the first three parts little-endian.
    static func appendGUID(_ p: UnsafeRawPointer, into out: inout ByteSink) {
        out.append(UInt8(ascii: "{"))
        for k in [3, 2, 1, 0] { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "-"))
        for k in [5, 4] { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "-"))
        for k in [7, 6] { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "-"))
        for k in 8..<10 { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "-"))
        for k in 10..<16 { out.appendHexByte(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "}"))
    }

    /// `S-1-5-21-…`: revision, 48-bit big-endian authority, little-endian sub-authorities.
    static func appendSID(_ p: UnsafeRawPointer, _ n: Int, into out: inout ByteSink) {
        guard n >= 8 else { return }
        let count = Int(p.load(fromByteOffset: 1, as: UInt8.self))
        guard 8 + 4 * count <= n else { return }
        out.append(UInt8(ascii: "S")); out.append(UInt8(ascii: "-"))
        out.appendDecimal(UInt64(p.load(as: UInt8.self)))
        var auth: UInt64 = 0
        for k in 2..<8 { auth = auth << 8 | UInt64(p.load(fromByteOffset: k, as: UInt8.self)) }
        out.append(UInt8(ascii: "-"))
        out.appendDecimal(auth)
        for k in 0..<count {
            out.append(UInt8(ascii: "-"))
            out.appendDecimal(UInt64(p.loadUnaligned(fromByteOffset: 8 + 4 * k, as: UInt32.self)))
        }
    }

    /// 100-ns ticks between 1601-01-01 and 1970-01-01.
    static let epochTicks: UInt64 = 116_444_736_000_000_000

    /// A FILETIME as `2021-10-20T14:29:09.7581469Z` (the seven digits a FILETIME holds).
    static func appendFileTime(_ ft: UInt64, into out: inout ByteSink) {
        appendTicks(Int64(bitPattern: ft) &- Int64(bitPattern: epochTicks), into: &out)
    }

    /// 100-ns ticks since 1970 as ISO 8601 UTC with seven fractional digits.
    static func appendTicks(_ ticks: Int64, into out: inout ByteSink) {
        let secs = ticks >= 0 ? ticks / 10_000_000 : (ticks - 9_999_999) / 10_000_000
        let frac = Int(ticks - secs * 10_000_000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = Timestamp.civil(days: Int(days))
        out.appendPadded(y, 4); out.append(UInt8(ascii: "-")); out.appendPadded(m, 2); out.append(UInt8(ascii: "-"))
        out.appendPadded(d, 2); out.append(UInt8(ascii: "T")); out.appendPadded(rem / 3600, 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(rem / 60 % 60, 2); out.append(UInt8(ascii: ":")); out.appendPadded(rem % 60, 2)
        out.append(UInt8(ascii: ".")); out.appendPadded(frac, 7); out.append(UInt8(ascii: "Z"))
    }

    /// SYSTEMTIME (year, month, weekday, day, hour, minute, second, ms) as `2021-03-03T06:50:01.123Z`.
    private static func appendSystemTime(_ p: UnsafeRawPointer, into out: inout ByteSink) {
        func f(_ k: Int) -> Int { Int(p.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)) }
        out.appendPadded(f(0), 4); out.append(UInt8(ascii: "-")); out.appendPadded(f(1), 2); out.append(UInt8(ascii: "-"))
        out.appendPadded(f(3), 2); out.append(UInt8(ascii: "T")); out.appendPadded(f(4), 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(f(5), 2); out.append(UInt8(ascii: ":")); out.appendPadded(f(6), 2)
        out.append(UInt8(ascii: ".")); out.appendPadded(f(7), 3); out.append(UInt8(ascii: "Z"))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…]Z` text (forwarded events carry SystemTime as a string) to ticks.
    static func ticks(fromISO b: UnsafeRawBufferPointer) -> Int64? {
        guard let ms = Timestamp.parse(b) else { return nil }
        var ticks = (ms / 1000) * 10_000_000
        if ms < 0 && ms % 1000 != 0 { ticks = ((ms - 999) / 1000) * 10_000_000 }
        if b.count > 20, b[19] == UInt8(ascii: ".") {
            var scale = 1_000_000, i = 20, f = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if scale > 0 { f += Int(b[i] - 48) * scale; scale /= 10 }
                i += 1
            }
            ticks += Int64(f)
        }
        return ticks
    }
}

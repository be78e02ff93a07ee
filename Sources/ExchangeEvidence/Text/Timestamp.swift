/// Milliseconds since 1970-01-01T00:00:00Z. Exchange and IIS write UTC; parsing is done on bytes
/// because Foundation's date formatters cost ~100× the rest of a load (see the performance notes).
public enum Timestamp {
    /// Marks an event whose time could not be read.
    public static let unknown = Int64.min

    /// Days from 1970-01-01 to a civil date (proleptic Gregorian).
    @inline(__always)
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Whether `day` exists in that month (leap years included). `days` would roll 2021-02-30 over to March 2
    /// without complaint, so every parser of typed or logged dates asks this first.
    public static func isDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return day <= (leap ? 29 : 28)
        case 4, 6, 9, 11: return day <= 30
        default: return day <= 31
        }
    }

    /// Milliseconds of a wall-clock moment counted as UTC, or nil when it names none (2021-02-30, hour 24, a 62nd
    /// second): the check and the count every reader of a date and time makes.
    @inline(__always)
    public static func wallClock(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, milli: Int = 0) -> Int64? {
        guard isDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 61 else { return nil }
        return Int64(((days(year: year, month: month, day: day) * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(milli)
    }

    /// Civil date of a day count (inverse of `days`).
    public static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    @inline(__always)
    static func digits(_ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int? {
        var v = 0
        for i in at..<(at + n) {
            let c = Int(p[i]) &- 48
            if c < 0 || c > 9 { return nil }
            v = v * 10 + c
        }
        return v
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fff…][Z|±HH:MM|±HHMM|±HH]` (the Exchange, ECP and W3C forms, and ISO 8601
    /// with an offset, as `Get-Date -Format o` or a log shipper writes it: turned into UTC); nil when malformed,
    /// including a day the month does not have.
    public static func parse(_ p: UnsafeRawBufferPointer) -> Int64? {
        guard p.count >= 19, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
              p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " "),
              p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":"),
              let y = digits(p, 0, 4), let mo = digits(p, 5, 2), let d = digits(p, 8, 2),
              let h = digits(p, 11, 2), let mi = digits(p, 14, 2), let s = digits(p, 17, 2),
              let wall = wallClock(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        else { return nil }
        var ms = 0, i = 19
        if p.count > 20, p[19] == UInt8(ascii: ".") {
            var scale = 100
            i = 20
            while i < p.count, let dgt = digits(p, i, 1) {
                ms += dgt * scale
                scale /= 10
                i += 1
            }
        }
        return wall + Int64(ms) - (offset(p, at: i) ?? 0)
    }

    /// The zone offset (ms east of UTC) written at `i` after a time: `+01:00`, `-0500`, `+05`; nil when there is
    /// none (`Z`, the end, anything else).
    @inline(__always)
    static func offset(_ p: UnsafeRawBufferPointer, at i: Int) -> Int64? {
        guard i + 3 <= p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-"), let h = digits(p, i + 1, 2), h <= 14 else { return nil }
        var m = 0, end = i + 3
        if end < p.count, p[end] == UInt8(ascii: ":") {
            guard end + 3 <= p.count, let mm = digits(p, end + 1, 2) else { return nil }
            (m, end) = (mm, end + 3)
        } else if end + 2 <= p.count, let mm = digits(p, end, 2) {
            (m, end) = (mm, end + 2)
        }
        guard m < 60, end == p.count || (digits(p, end, 1) == nil && p[end] != UInt8(ascii: ":")) else { return nil }
        let ms = Int64((h * 60 + m) * 60_000)
        return p[i] == UInt8(ascii: "+") ? ms : -ms
    }

    /// True for a time `parse` reads that says its zone: `Z` or an offset. Without one it is a wall clock, whose
    /// zone the reader must know otherwise (`load --local-time`).
    public static func carriesZone(_ s: String) -> Bool {
        guard parse(s) != nil else { return false }
        if s.hasSuffix("Z") || s.hasSuffix("z") { return true }
        var v = s
        return v.withUTF8 { u in
            let p = UnsafeRawBufferPointer(u)
            var i = 19
            if i < p.count, p[i] == UInt8(ascii: ".") { i += 1; while i < p.count, digits(p, i, 1) != nil { i += 1 } }
            return offset(p, at: i) != nil
        }
    }

    /// Parses a W3C pair: `date` (`YYYY-MM-DD`) and `time` (`HH:MM:SS[.fff]`).
    public static func parse(date: UnsafeRawBufferPointer, time: UnsafeRawBufferPointer) -> Int64? {
        guard date.count == 10, time.count >= 8,
              let y = digits(date, 0, 4), let mo = digits(date, 5, 2), let d = digits(date, 8, 2),
              let h = digits(time, 0, 2), let mi = digits(time, 3, 2), let s = digits(time, 6, 2)
        else { return nil }
        return wallClock(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
    }

    public static func parse(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Formats as ISO 8601 UTC with milliseconds: `2021-03-03T06:49:42.162Z`.
    public static func iso(_ ms: Int64) -> String {
        if ms == unknown { return "-" }
        let (secsTotal, milli) = ms.quotientAndRemainder(dividingBy: 1000)
        var st = Int(secsTotal), m = Int(milli)
        if m < 0 { m += 1000; st -= 1 }
        var (dayCount, sod) = st.quotientAndRemainder(dividingBy: 86400)
        if sod < 0 { sod += 86400; dayCount -= 1 }
        let (y, mo, d) = civil(days: dayCount)
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(m, 3))Z"
    }

    /// Formats as `2021-03-03 06:49:42` (UTC), the compact form for tables.
    public static func short(_ ms: Int64) -> String {
        if ms == unknown { return "-" }
        let iso = iso(ms)
        return String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

import Foundation

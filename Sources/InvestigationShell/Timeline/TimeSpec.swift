import ExchangeEvidence
import Foundation

/// Times and durations as analysts type them in filters: `2021-03-03`, `2021-03-03 06:00`,
/// `2021-03-03T06:49:42.162Z`, `-2h` (before the newest event), `10m`.
///
/// Absolute times without a zone are read in the session's display zone, so a time copied from the
/// timeline selects what the timeline showed. Parsing is done on bytes: no date formatters.
public enum TimeSpec {
    /// A duration such as `90s`, `10m`, `2h`, `1d`, `1w` (a bare number is seconds), in ms.
    public static func duration(_ text: String) -> Int64? {
        guard let unit = text.last else { return nil }
        let scale: Int64
        var digits = Substring(text)
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 604_800_000
        default:
            guard unit.isNumber else { return nil }
            scale = 1000
            digits = Substring(text + "s")
        }
        digits = digits.dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int64(digits), n >= 0, n < 1_000_000 else { return nil }
        return n * scale
    }

    /// An absolute time as the span its precision covers: `2021-03-03` is the whole day, `2021-03-03 06:00`
    /// the whole minute. `end` is exclusive. Returns nil when `text` is not a time.
    public static func absolute(_ text: String, zone: TimeZone) -> (start: Int64, end: Int64)? {
        var b = Array(text.utf8)
        // Zone suffix: Z or ±HH:MM / ±HHMM after the time.
        var offsetMs: Int64?
        if b.last == UInt8(ascii: "Z") || b.last == UInt8(ascii: "z") { offsetMs = 0; b.removeLast() }
        else if b.count > 16 {
            let tail = Array(b.suffix(6))
            if (tail[0] == UInt8(ascii: "+") || tail[0] == UInt8(ascii: "-")) && tail[3] == UInt8(ascii: ":"),
               let h = num(tail, 1, 2), let m = num(tail, 4, 2) {
                offsetMs = Int64((h * 60 + m) * 60_000) * (tail[0] == UInt8(ascii: "-") ? -1 : 1)
                b.removeLast(6)
            }
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = num(b, 0, 4), let mo = num(b, 5, 2), let d = num(b, 8, 2),
              Timestamp.isDate(year: y, month: mo, day: d) else { return nil }
        var h = 0, mi = 0, s = 0, ms = 0
        var precision: Int64 = 86_400_000
        if b.count > 10 {
            guard b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "T"), b.count >= 13, let hh = num(b, 11, 2), hh < 24 else { return nil }
            h = hh; precision = 3_600_000
            if b.count > 13 {
                guard b[13] == UInt8(ascii: ":"), b.count >= 16, let mm = num(b, 14, 2), mm < 60 else { return nil }
                mi = mm; precision = 60_000
            }
            if b.count > 16 {
                guard b[16] == UInt8(ascii: ":"), b.count >= 19, let ss = num(b, 17, 2), ss < 61 else { return nil }
                s = ss; precision = 1000
            }
            if b.count > 19 {
                guard b[19] == UInt8(ascii: "."), b.count > 20 else { return nil }
                var scale = 100
                for i in 20..<b.count {
                    guard let dgt = num(b, i, 1) else { return nil }
                    ms += dgt * scale
                    scale /= 10
                }
                precision = 1
            }
        }
        guard let local = Timestamp.wallClock(year: y, month: mo, day: d, hour: h, minute: mi, second: s, milli: ms) else { return nil }
        let utc = local - (offsetMs ?? LocalTime.offset(ofLocal: local, in: zone))
        return (utc, utc + precision)
    }

    private static func num(_ b: [UInt8], _ at: Int, _ n: Int) -> Int? {
        guard at + n <= b.count else { return nil }
        var v = 0
        for i in at..<(at + n) {
            let c = Int(b[i]) - 48
            guard (0...9).contains(c) else { return nil }
            v = v * 10 + c
        }
        return v
    }

    /// A `--from`/`--to` value: absolute, or `-DURATION` before `newest`. Returns the span it covers.
    public static func bound(_ text: String, zone: TimeZone, newest: Int64) -> (start: Int64, end: Int64)? {
        if text.hasPrefix("-"), let d = duration(String(text.dropFirst())) {
            guard newest != Timestamp.unknown else { return nil }
            return (newest - d, newest - d + 1)
        }
        return absolute(text, zone: zone)
    }
}

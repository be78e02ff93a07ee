import ExchangeEvidence
import Foundation

extension Session {
    /// Text the detection library wrote with UTC times (`2021-03-03 06:49:42`, a finding's summary), with
    /// those times in the session's zone, so a finding's summary agrees with its time column.
    public func localTimes(_ text: String) -> String { settings.localTimes(text) }

    /// Formats a time for tables in the session's time zone (JSON always uses UTC).
    public func displayTime(_ ms: Int64) -> String { settings.displayTime(ms) }

    /// "times in ZONE" for the top of a table, when the session shows times in another zone than UTC.
    public var zoneHeader: String? {
        settings.timezoneName == "UTC" ? nil : "times in \(settings.timezoneName) (set timezone UTC to change)"
    }
}

/// Times as tables show them, on the settings alone: rows rendered on other threads use a copy.
extension Settings {
    /// `text` with its UTC times (`2021-03-03 06:49:42`) in the display zone (`Session.localTimes`).
    public func localTimes(_ text: String) -> String {
        guard timezoneName != "UTC" else { return text }
        let chars = Array(text)
        let shape = Array("dddd-dd-dd dd:dd:dd")
        var out = "", i = 0
        while i < chars.count {
            if i + shape.count <= chars.count,
               zip(chars[i..<i + shape.count], shape).allSatisfy({ $1 == "d" ? $0.isASCII && $0.isNumber : $0 == $1 }),
               let ms = Timestamp.parse(String(chars[i..<i + 10]) + "T" + String(chars[i + 11..<i + 19]) + "Z") {
                out += displayTime(ms)
                i += shape.count
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }

    /// A time in the display zone, `-` when unknown (`Session.displayTime`).
    public func displayTime(_ ms: Int64) -> String {
        if ms == Timestamp.unknown { return "-" }
        if timezoneName == "UTC" { return Timestamp.short(ms) }
        let offset = timezone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))
        return Timestamp.short(ms + Int64(offset) * 1000)
    }
}

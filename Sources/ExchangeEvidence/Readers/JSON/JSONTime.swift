/// The time forms JSON event exports use, in ms UTC: ISO 8601 with `Z` or a `±HH:MM` offset (Splunk's
/// `_time` carries the indexer's zone), PowerShell's `/Date(1615686000000)/`, and epoch numbers (seconds,
/// possibly fractional, from Velociraptor; microseconds from Timesketch's `timestamp`).
enum JSONTime {
    static func parse(_ node: JSONNode?) -> Int64? {
        switch node {
        case .string(let s)?: return parse(s)
        case .number(let n)?: return epoch(n)
        case .object?:
            // Velociraptor and some beats nest the value: `{"SystemTime": …}`, `{"DateTime": …}`.
            return parse(node?["SystemTime"]) ?? parse(node?["DateTime"]) ?? parse(node?["value"])
        default: return nil
        }
    }

    static func parse(_ s: String) -> Int64? {
        if s.hasPrefix("/Date(") || s.hasPrefix("\\/Date(") {
            let digits = s.drop { $0 != "(" }.dropFirst().prefix { $0 == "-" || $0.isNumber }
            return Int64(digits)
        }
        // ISO 8601, its zone offset (`+01:00`, `-0500`) applied by `Timestamp.parse`.
        return Timestamp.parse(s) ?? epoch(s)
    }

    /// True for a date and time written with no zone (`2021-03-04 14:05:00`, NXLog's default `EventTime`): the
    /// writer's local time. `Z`, an offset, epoch numbers and `/Date(…)/` are absolute.
    static func isZoneless(_ s: String) -> Bool {
        Timestamp.parse(s) != nil && !Timestamp.carriesZone(s)
    }

    /// An epoch number: seconds below 1e11, milliseconds below 1e14, else microseconds.
    static func epoch(_ n: String) -> Int64? {
        guard let v = Double(n), v.isFinite, v > 0, v < 1e17 else { return nil }
        // Round to microseconds first: 1614744684.738 is 1614744684737.9999 ms in binary.
        if v < 1e11 { return Int64((v * 1_000_000).rounded() / 1000) }
        if v < 1e14 { return Int64(v) }
        return Int64(v / 1000)
    }
}

import ExchangeEvidence

/// A release date from the catalog: a day (`2021-03-02`) or, where no dated source was found, a month
/// (`2018-03`). Month-precision dates compare as the first of the month and print as the month.
public struct CatalogDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    /// Nil when only the month is known.
    public let day: Int?

    /// Parses `YYYY-MM-DD` or `YYYY-MM`; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 4,
              parts.dropFirst().allSatisfy({ $0.count == 2 }),
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return nil }
        year = y
        month = m
        if parts.count == 3 {
            guard let d = Int(parts[2]), Timestamp.isDate(year: y, month: m, day: d) else { return nil }
            day = d
        } else {
            day = nil
        }
    }

    /// Milliseconds since the epoch at 00:00 UTC of the day (or of the first of the month).
    public var start: Int64 {
        Int64(Timestamp.days(year: year, month: month, day: day ?? 1)) * 86_400_000
    }

    /// The first moment by which the release had surely happened: the day itself, or for a month-only
    /// date the start of the next month (so a recommendation never names an update not yet out).
    public var surelyBy: Int64 {
        if day != nil { return start }
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        return Int64(Timestamp.days(year: next.0, month: next.1, day: 1)) * 86_400_000
    }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        guard let day else { return "\(year)-\(m)" }
        return "\(year)-\(m)-" + (day < 10 ? "0\(day)" : "\(day)")
    }

    public static func < (a: CatalogDate, b: CatalogDate) -> Bool { a.start < b.start }
}

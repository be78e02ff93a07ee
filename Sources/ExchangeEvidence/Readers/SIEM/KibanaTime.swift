/// The time Kibana's Discover writes into a CSV export by default (`dateFormat` `MMM D, YYYY @ HH:mm:ss.SSS`): English
/// month names, in the browser's time zone, which the file does not say.
enum KibanaTime {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Mar 3, 2021 @ 06:49:42.000` as ms, the wall clock read as UTC; nil when the text is not of that form.
    static func parse(_ s: String) -> Int64? {
        let halves = s.components(separatedBy: " @ ")
        guard halves.count == 2 else { return nil }
        let date = halves[0].split(whereSeparator: { $0 == " " || $0 == "," })
        guard date.count == 3, let month = months.firstIndex(of: date[0].prefix(3).lowercased()),
              let day = Int(date[1]), let year = Int(date[2]) else { return nil }
        let clock = halves[1].split(whereSeparator: { $0 == ":" || $0 == "." }).map { Int($0) }
        guard clock.count >= 3, clock.allSatisfy({ $0 != nil }) else { return nil }
        return Timestamp.wallClock(year: year, month: month + 1, day: day, hour: clock[0]!, minute: clock[1]!, second: clock[2]!,
                                   milli: clock.count > 3 ? clock[3]! : 0)
    }
}

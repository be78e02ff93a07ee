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
        let (h, m, sec) = (clock[0]!, clock[1]!, clock[2]!)
        guard Timestamp.isDate(year: year, month: month + 1, day: day), h < 24, m < 60, sec < 61 else { return nil }
        let ms = clock.count > 3 ? clock[3]! : 0
        return Int64(((Timestamp.days(year: year, month: month + 1, day: day) * 24 + h) * 60 + m) * 60 + sec) * 1000 + Int64(ms)
    }
}

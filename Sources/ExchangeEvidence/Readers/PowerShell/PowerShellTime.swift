/// Which comes first in a culture-formatted date: `load --date-order` gives it when a file cannot tell.
public enum DateOrder: String, Sendable {
    case monthFirst = "month/day"
    case dayFirst = "day/month"
}

/// Times as `Export-Csv` writes them: in the exporting session's culture, so `3/3/2021 6:50:01 AM` (en-US),
/// `03/03/2021 06:50:01` (en-GB), `03.03.2021 06:50:01` (de-DE), or ISO when the script formatted them.
///
/// Day and month order cannot be told from one value, so a file is examined first (`DateOrder.decide`),
/// and every value of the file is then read the same way.
enum PowerShellTime {
    typealias DateOrder = ExchangeEvidence.DateOrder

    /// The numbers of one culture-formatted value.
    struct Parts {
        var a = 0, b = 0, year = 0
        var hour = 0, minute = 0, second = 0, milli = 0
        var meridiem: UInt8 = 0   // 0 none, 1 AM, 2 PM
        var dotted = false
        /// `YYYY/M/D`: the order is fixed.
        var yearFirst = false
    }

    /// Reads an ISO time, or the culture form with the given order; nil when it is neither.
    static func parse(_ s: String, order: DateOrder) -> Int64? {
        if let iso = Timestamp.parse(s) { return iso }
        guard let p = parts(s) else { return nil }
        var hour = p.hour
        if p.meridiem != 0 {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (p.meridiem == 2 ? 12 : 0)
        }
        let (month, day) = order == .monthFirst || p.yearFirst ? (p.a, p.b) : (p.b, p.a)
        return Timestamp.wallClock(year: p.year, month: month, day: day, hour: hour, minute: p.minute, second: p.second, milli: p.milli)
    }

    /// True when the value carries its zone (`…Z`, as a script's `ToUniversalTime().ToString('o')` writes it, or
    /// an offset, as `Get-Date -Format o` does): `parse` gives UTC. Culture forms and ISO without a zone are the
    /// exporting machine's wall clock.
    static func isUTC(_ s: String) -> Bool { Timestamp.carriesZone(s) }

    /// Chooses the order for a file from its values: a first number above 12 proves day/month, a second
    /// one above 12 proves month/day; otherwise AM/PM suggests en-US and dots suggest a day-first culture.
    static func decide(_ values: [String]) -> DateOrder { decideExplained(values).order }

    /// The order, and a warning for the file's problems when the values do not settle it: they contradict each
    /// other (a `13/03/2021` and a `03/13/2021`), or none has a number above 12 and nothing else (AM/PM, dots)
    /// hints at the culture, so `04/03/2021` was read month-first (en-US) on a guess that is a month off on an
    /// en-GB export. Nil when the file decides it, or when no value depends on the order.
    /// With `given` (`load --date-order`) the file is read that way; the note then only names dates that
    /// cannot be read so (a number above 12 where the month should be).
    static func decideExplained(_ values: [String], given: DateOrder? = nil) -> (order: DateOrder, note: String?) {
        var dayFirst = 0, monthFirst = 0, meridiem = 0, dotted = 0
        var ambiguous: String?, dayExample = "", monthExample = ""
        for v in values {
            guard Timestamp.parse(v) == nil, let p = parts(v), !p.yearFirst else { continue }
            if p.a > 12 { dayFirst += 1; if dayExample.isEmpty { dayExample = v } }
            if p.b > 12 { monthFirst += 1; if monthExample.isEmpty { monthExample = v } }
            if p.meridiem != 0 { meridiem += 1 }
            if p.dotted { dotted += 1 }
            if ambiguous == nil, p.a != p.b, p.a <= 12, p.b <= 12 { ambiguous = v }
        }
        if let given {
            let (against, example) = given == .dayFirst ? (monthFirst, monthExample) : (dayFirst, dayExample)
            guard against > 0 else { return (given, nil) }
            return (given, "--date-order \(given.rawValue) was given, but \(against) date\(against == 1 ? "" : "s") can only be \(given == .dayFirst ? "month/day" : "day/month") (\"\(example)\"): those are unreadable")
        }
        if dayFirst != monthFirst {
            let order: DateOrder = dayFirst > monthFirst ? .dayFirst : .monthFirst
            guard dayFirst > 0 && monthFirst > 0 else { return (order, nil) }
            return (order, "dates contradict each other: \(dayFirst) read only day/month (\"\(dayExample)\"), \(monthFirst) only month/day (\"\(monthExample)\"); the file is read \(order.rawValue), so the others are unreadable or wrong")
        }
        // AM/PM is en-US's, usually: but en-AU, en-IN and en-PH write the day first with it too, so when no date tells
        // the order the choice is said (reviewer: `3/04/2021 7:59:21 PM`, meant as 3 April, was read silently).
        if meridiem > 0 {
            guard let ambiguous else { return (.monthFirst, nil) }
            return (.monthFirst, "day and month order cannot be told: no date has a number above 12 (\"\(ambiguous)\"); read month/day "
                    + "as en-US writes AM/PM times, which is wrong if the file was exported with en-AU, en-IN or en-PH; --date-order "
                    + "day-first reads it the other way, and ISO times (Get-Date -Format o) avoid the question")
        }
        if dotted > 0 { return (.dayFirst, nil) }
        guard let ambiguous else { return (.monthFirst, nil) }
        return (.monthFirst, "day and month order cannot be told: no date has a number above 12 (\"\(ambiguous)\"); read month/day (en-US), which is a month off if the file was exported with a day-first culture (en-GB, fr-FR); export with ISO times (Get-Date -Format o) to be sure")
    }

    /// The most digits one number of a time may have: a .NET fraction has 7; 9 keeps every product in range.
    static let maxDigits = 9

    /// Splits `A<sep>B<sep>YYYY H:MM[:SS[.fff]][ AM|PM]` (sep `/`, `.` or `-`), or `YYYY/M/D …`.
    static func parts(_ s: String) -> Parts? {
        var nums: [Int] = []
        var digitsIn: [Int] = []
        var seps: [UInt8] = []
        var cur = -1, nd = 0
        var p = Parts()
        var letters: [UInt8] = []
        for c in s.utf8 {
            if c >= 0x30 && c <= 0x39 {
                // Evidence decides how many digits come: more than `maxDigits` is no time part (and would overflow).
                guard nd < Self.maxDigits else { return nil }
                cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 0x30)
                nd += 1
                continue
            }
            if cur >= 0 { nums.append(cur); digitsIn.append(nd); cur = -1; nd = 0 }
            switch c {
            // A comma after the date: the browser's form (`3/3/2021, 2:41:07 AM`), in which portals export.
            case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: ","):
                seps.append(c)
            case UInt8(ascii: "A"), UInt8(ascii: "a"), UInt8(ascii: "P"), UInt8(ascii: "p"), UInt8(ascii: "M"), UInt8(ascii: "m"):
                letters.append(c | 0x20)
            default: return nil
            }
        }
        if cur >= 0 { nums.append(cur); digitsIn.append(nd) }
        guard nums.count >= 5, let dateSep = seps.first, dateSep != UInt8(ascii: ":") else { return nil }
        if letters == Array("am".utf8) { p.meridiem = 1 } else if letters == Array("pm".utf8) { p.meridiem = 2 }
        else if !letters.isEmpty { return nil }
        p.dotted = dateSep == UInt8(ascii: ".")
        if digitsIn[0] == 4 {
            (p.year, p.a, p.b) = (nums[0], nums[1], nums[2])
            p.yearFirst = true
        } else {
            guard digitsIn[2] == 4 else { return nil }
            (p.a, p.b, p.year) = (nums[0], nums[1], nums[2])
        }
        p.hour = nums[3]
        p.minute = nums[4]
        if nums.count >= 6 { p.second = nums[5] }
        if nums.count >= 7 {
            let frac = nums[6], width = digitsIn[6]
            p.milli = width >= 3 ? frac / pow10(width - 3) : frac * pow10(3 - width)
        }
        return p
    }

    private static func pow10(_ n: Int) -> Int {
        var v = 1
        for _ in 0..<n { v *= 10 }
        return v
    }
}

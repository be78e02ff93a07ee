@testable import ExchangeEvidence
import Testing

@Suite struct PowerShellTimeTests {
    @Test(arguments: [
        ("3/3/2021 6:50:01 AM", PowerShellTime.DateOrder.monthFirst, "2021-03-03T06:50:01.000Z"),
        ("3/3/2021 12:05:09 AM", .monthFirst, "2021-03-03T00:05:09.000Z"),
        ("3/3/2021 12:05:09 PM", .monthFirst, "2021-03-03T12:05:09.000Z"),
        ("03/04/2021 16:05:00", .dayFirst, "2021-04-03T16:05:00.000Z"),
        ("03.04.2021 06:50:01", .dayFirst, "2021-04-03T06:50:01.000Z"),
        ("2021/03/04 06:50:01", .dayFirst, "2021-03-04T06:50:01.000Z"),
        ("2021-03-03T06:50:01.1234567Z", .dayFirst, "2021-03-03T06:50:01.123Z"),
        ("3/3/2021 6:50", .monthFirst, "2021-03-03T06:50:00.000Z"),
        // The browser's form, in which the Log Analytics portal exports (`TimeGenerated [UTC]`).
        ("3/13/2021, 6:51:06.250 PM", .monthFirst, "2021-03-13T18:51:06.250Z"),
        ("2020/10/16 0:00:01.403", .monthFirst, "2020-10-16T00:00:01.403Z"),
    ])
    func parses(_ text: String, _ order: PowerShellTime.DateOrder, _ iso: String) {
        #expect(PowerShellTime.parse(text, order: order).map(Timestamp.iso) == iso)
    }

    @Test(arguments: ["yesterday", "13/13/2021 10:00:00", "3/3/2021 13:00:00 PM", "3/3/21 6:50:01 AM", "", "6:50:01",
                          "2/30/2021 6:50:01 AM", "2/29/2021 10:00:00", "4/31/2021 10:00:00"])
    func rejects(_ text: String) {
        #expect(PowerShellTime.parse(text, order: .monthFirst) == nil)
    }

    @Test func decidesTheOrderFromTheWholeFile() {
        #expect(PowerShellTime.decide(["3/4/2021 10:00:00", "3/25/2021 10:00:00"]) == .monthFirst)
        #expect(PowerShellTime.decide(["3/4/2021 10:00:00", "25/3/2021 10:00:00"]) == .dayFirst)
        #expect(PowerShellTime.decide(["3/4/2021 10:00:00 AM"]) == .monthFirst)
        #expect(PowerShellTime.decide(["03.04.2021 10:00:00"]) == .dayFirst)
    }

    /// A file that does not settle the order says so (reviewer: an en-GB listing read a month off, "no problems").
    @Test func saysWhenTheFileDoesNotSettleTheOrder() {
        #expect(PowerShellTime.decideExplained(["3/4/2021 10:00:00", "3/25/2021 10:00:00"]).note == nil)
        #expect(PowerShellTime.decideExplained(["03.04.2021 10:00:00"]).note == nil)
        #expect(PowerShellTime.decideExplained(["3/3/2021 10:00:00"]).note == nil, "the same day and month read either way")
        // AM/PM is read month/day, and said when no date settles it: en-AU writes the day first with AM/PM (reviewer).
        let meridiem = PowerShellTime.decideExplained(["3/04/2021 7:59:21 PM"])
        #expect(meridiem.order == .monthFirst && meridiem.note?.contains("en-AU") == true)
        #expect(PowerShellTime.decideExplained(["3/04/2021 7:59:21 PM", "3/25/2021 7:59:21 PM"]).note == nil, "settled by the 25th")
        let guessed = PowerShellTime.decideExplained(["04/03/2021 11:02:03", "05/03/2021 09:00:00"])
        #expect(guessed.order == .monthFirst)
        #expect(guessed.note?.hasPrefix("day and month order cannot be told: no date has a number above 12 (\"04/03/2021 11:02:03\")") == true)
        let mixed = PowerShellTime.decideExplained(["13/03/2021 10:00:00", "14/03/2021 10:00:00", "03/15/2021 10:00:00"])
        #expect(mixed.order == .dayFirst)
        #expect(mixed.note?.hasPrefix("dates contradict each other: 2 read only day/month (\"13/03/2021 10:00:00\"), 1 only month/day (\"03/15/2021 10:00:00\")") == true)
    }

    /// `load --date-order` decides what the file cannot; dates that cannot be read that way are named.
    @Test func aGivenOrderIsUsedAndContradictionsNamed() {
        let given = PowerShellTime.decideExplained(["04/03/2021 11:02:03", "05/03/2021 09:00:00"], given: .dayFirst)
        #expect(given.order == .dayFirst && given.note == nil)
        let against = PowerShellTime.decideExplained(["13/03/2021 10:00:00", "04/03/2021 11:02:03"], given: .monthFirst)
        #expect(against.order == .monthFirst)
        #expect(against.note == "--date-order month/day was given, but 1 date can only be day/month (\"13/03/2021 10:00:00\"): those are unreadable")
    }
}

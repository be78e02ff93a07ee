import ExchangeEvidence
import Foundation
import InvestigationShell
import Testing

@Suite struct TimeSpecTests {
    let utc = TimeZone(identifier: "UTC")!

    @Test func absoluteTimesCoverTheirPrecision() throws {
        let day = try #require(TimeSpec.absolute("2021-03-03", zone: utc))
        #expect(day.start == Timestamp.parse("2021-03-03T00:00:00Z"))
        #expect(day.end - day.start == 86_400_000)
        let minute = try #require(TimeSpec.absolute("2021-03-03 06:00", zone: utc))
        #expect(minute.start == Timestamp.parse("2021-03-03T06:00:00Z"))
        #expect(minute.end - minute.start == 60_000)
        let exact = try #require(TimeSpec.absolute("2021-03-03T06:49:42.162Z", zone: utc))
        #expect(exact.start == Timestamp.parse("2021-03-03T06:49:42.162Z"))
        #expect(exact.end - exact.start == 1)
    }

    @Test func zonesAreHonoured() throws {
        let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!
        // 07:49 in Amsterdam (CET, +01:00) is 06:49 UTC.
        #expect(TimeSpec.absolute("2021-03-03 07:49", zone: amsterdam)?.start == Timestamp.parse("2021-03-03T06:49:00Z"))
        // An explicit offset wins over the session zone.
        #expect(TimeSpec.absolute("2021-03-03T07:49:00+01:00", zone: utc)?.start == Timestamp.parse("2021-03-03T06:49:00Z"))
        #expect(TimeSpec.absolute("2021-03-03T06:49:00Z", zone: amsterdam)?.start == Timestamp.parse("2021-03-03T06:49:00Z"))
    }

    @Test func relativeTimesCountBackFromTheNewestEvent() throws {
        let newest = try #require(Timestamp.parse("2021-03-05T12:00:00Z"))
        #expect(TimeSpec.bound("-2h", zone: utc, newest: newest)?.start == Timestamp.parse("2021-03-05T10:00:00Z"))
        #expect(TimeSpec.bound("-1d", zone: utc, newest: newest)?.start == Timestamp.parse("2021-03-04T12:00:00Z"))
        #expect(TimeSpec.duration("10m") == 600_000)
        #expect(TimeSpec.duration("90") == 90_000)
    }

    @Test func leapDaysAreDays() {
        #expect(TimeSpec.absolute("2020-02-29", zone: utc)?.start == Timestamp.parse("2020-02-29T00:00:00Z"))
        #expect(TimeSpec.absolute("2000-02-29 06:00", zone: utc)?.start == Timestamp.parse("2000-02-29T06:00:00Z"))
    }

    @Test func nonsenseIsRefused() {
        for bad in ["", "yesterday", "2021-13-01", "2021-03-03 25:00", "2021-03-03X06", "-2x", "03/03/2021",
                    "2021-02-29", "2021-02-30", "2021-02-31 06:00", "2021-04-31", "1900-02-29"] {
            #expect(TimeSpec.bound(bad, zone: utc, newest: 0) == nil, "\(bad)")
        }
        #expect(TimeSpec.duration("m") == nil)
        #expect(TimeSpec.duration("-5m") == nil)
    }
}

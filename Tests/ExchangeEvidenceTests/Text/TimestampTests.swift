import ExchangeEvidence
import Testing

@Suite struct TimestampTests {
    @Test func exchangeAndW3CFormsParse() {
        #expect(Timestamp.iso(Timestamp.parse("2021-03-03T06:49:42.162Z")!) == "2021-03-03T06:49:42.162Z")
        #expect(Timestamp.iso(Timestamp.parse("2021-03-05 03:06:27")!) == "2021-03-05T03:06:27.000Z")
        #expect(Timestamp.iso(Timestamp.parse("2020-02-29T23:59:59.9999999Z")!) == "2020-02-29T23:59:59.999Z")
        #expect(Timestamp.parse("1969-12-31T23:59:59Z") == -1000)
    }

    /// An offset is applied (reviewer: an HttpProxy `DateTime` of `07:00:02+01:00` was read as 07:00:02 UTC); `Z`,
    /// no zone and text after the time that is no offset leave the time as written.
    @Test func anOffsetIsApplied() {
        for (written, utc) in [("2021-03-03T07:00:02+01:00", "2021-03-03T06:00:02.000Z"), ("2021-03-03T07:00:02.5-0500", "2021-03-03T12:00:02.500Z"),
                               ("2021-03-03 01:00:00+05:30", "2021-03-02T19:30:00.000Z"), ("2021-03-03T07:00:02.1234567+01", "2021-03-03T06:00:02.123Z"),
                               ("2021-03-03T07:00:02Z", "2021-03-03T07:00:02.000Z"), ("2021-03-03T07:00:02+1", "2021-03-03T07:00:02.000Z"),
                               ("2021-03-03T07:00:02+01:0", "2021-03-03T07:00:02.000Z"), ("2021-03-03T07:00:02+15:00", "2021-03-03T07:00:02.000Z"),
                               ("2021-03-03T07:00:02+01:00:00", "2021-03-03T07:00:02.000Z"), ("2021-03-03T07:00:02+0100x", "2021-03-03T06:00:02.000Z")] {
            #expect(Timestamp.parse(written).map(Timestamp.iso) == utc, "\(written)")
        }
        #expect(Timestamp.carriesZone("2021-03-03T07:00:02+01:00") && Timestamp.carriesZone("2021-03-03T07:00:02.12Z"))
        #expect(!Timestamp.carriesZone("2021-03-03 07:00:02") && !Timestamp.carriesZone("2021-03-03T07:00:02.123") && !Timestamp.carriesZone("x"))
    }

    @Test func garbageIsRejected() {
        #expect(Timestamp.parse("2021-13-03T06:49:42Z") == nil)
        #expect(Timestamp.parse("not a date at all!!") == nil)
        #expect(Timestamp.parse("2021-03-03") == nil)
    }

    /// `days` rolls 2021-02-30 over to March 2: a logged day the month lacks is unreadable, not moved.
    @Test func daysTheMonthLacksAreRejected() {
        for bad in ["2021-02-29T00:00:00Z", "2021-02-30 06:49:42", "2021-02-31T06:49:42Z", "2021-04-31T00:00:00Z", "1900-02-29T00:00:00Z"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        #expect(Timestamp.parse("2020-02-29T00:00:00Z") != nil, "a leap day")
        #expect(Timestamp.parse("2000-02-29T00:00:00Z") != nil, "a leap day of a 400th year")
        #expect(Timestamp.parse("2021-03-31T00:00:00Z") != nil)
        let date = "2021-02-30", time = "06:49:42"
        let pair = date.utf8CString.withUnsafeBytes { d in
            time.utf8CString.withUnsafeBytes { t in
                Timestamp.parse(date: UnsafeRawBufferPointer(rebasing: d.dropLast()), time: UnsafeRawBufferPointer(rebasing: t.dropLast()))
            }
        }
        #expect(pair == nil, "the W3C date/time pair too")
    }

    /// An IIS line with such a date keeps no time and is named a problem, as any unreadable time is.
    @Test func anIISLineOnADayTheMonthLacksIsAProblem() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("""
            #Software: Microsoft Internet Information Services 10.0
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken
            2021-02-30 05:00:01 10.0.0.5 GET /owa/ - 443 - 203.0.113.9 curl - 200 0 0 5

            """, "W3SVC1/u_ex210230.log", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.time[0] == Timestamp.unknown)
        #expect(store.files[0].problems.kept.contains { $0.message.contains("no readable date/time") })
    }
}

import ExchangeEvidence
import Testing

@Suite struct TimestampTests {
    @Test func exchangeAndW3CFormsParse() {
        #expect(Timestamp.iso(Timestamp.parse("2021-03-03T06:49:42.162Z")!) == "2021-03-03T06:49:42.162Z")
        #expect(Timestamp.iso(Timestamp.parse("2021-03-05 03:06:27")!) == "2021-03-05T03:06:27.000Z")
        #expect(Timestamp.iso(Timestamp.parse("2020-02-29T23:59:59.9999999Z")!) == "2020-02-29T23:59:59.999Z")
        #expect(Timestamp.parse("1969-12-31T23:59:59Z") == -1000)
    }

    @Test func garbageIsRejected() {
        #expect(Timestamp.parse("2021-13-03T06:49:42Z") == nil)
        #expect(Timestamp.parse("not a date at all!!") == nil)
        #expect(Timestamp.parse("2021-03-03") == nil)
    }
}

import ExchangeEvidence
import Testing

@Suite struct IISW3CReaderTests {
    @Test func realLinesAndAHeaderBlockMidFile() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("iis/u_ex210305.log"))
        #expect(store.count == 3)
        let f = store.files[0]
        #expect(f.kind == .iis)
        #expect(store.value(.clientIP, 0) == "139.162.202.236")
        #expect(store.value(.urlStem, 0) == "/owa/auth/RedirSuiteServerProxy.aspx")
        #expect(store.value(.userAgent, 0).hasPrefix("Mozilla/5.0+(Windows+NT+10.0;"), "IIS keeps + for spaces")
        #expect(store.value(.status, 1) == "302")
        #expect(store.value(.user, 0) == "", "'-' is empty")
        #expect(Timestamp.iso(store.time[0]) == "2021-03-05T03:06:27.000Z")
        // After the restart the columns are in another order.
        #expect(store.value(.clientIP, 2) == "20.106.209.84")
        #expect(store.value(.method, 2) == "POST")
        #expect(store.value(.urlStem, 2) == "/ecp/y.js")
        #expect(store.value(.userAgent, 2) == "python-requests/2.25.1")
        #expect(store.field("s-computername", of: 2) == "EX01")
        #expect(f.problems.total == 0)
    }
}

extension IISW3CReaderTests {
    /// IIS never names a column twice: a `#Fields` that does (edited by hand, or made to hide a value behind the
    /// first) is reported on its line; fields read the first column of the name and the line keeps both.
    /// Behind an internal load balancer `c-ip` is the balancer: the client is the rightmost external address of
    /// X-Forwarded-For (addresses left of it were written by the client and can be forged); an internal-only list
    /// leaves c-ip, and an external c-ip is never replaced (reviewer: findings blamed the balancer, 10.0.0.2).
    @Test func theClientBehindAnInternalProxyComesFromXForwardedFor() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("iis-balanced/u_ex210305.log"))
        #expect((0..<4).map { store.value(.clientIP, $0) } == ["139.162.202.236", "67.205.176.9", "10.0.0.2", "203.0.113.50"])
        #expect(store.files[0].messages == ["line 5: the client of 2 requests is taken from X-Forwarded-For, as c-ip names an internal proxy (10.0.0.2)"])
        #expect(ForwardedFor.client("203.0.113.9:51234") == "203.0.113.9")
        #expect(ForwardedFor.client("10.0.0.3,+172.16.0.1") == nil && ForwardedFor.client("unknown") == nil)
    }

    @Test func aRepeatedFieldNameIsReported() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("#Software: Microsoft Internet Information Services 10.0\n"
                       + "#Fields: date time c-ip cs-uri-stem cs-uri-stem sc-status\n"
                       + "2021-03-03 06:00:00 203.0.113.9 /owa/auth/x.js /aspnet_client/shell.aspx 200\n",
                       "EX01/W3SVC1/u_ex210303.log", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 1)
        #expect(store.value(.urlStem, 0) == "/owa/auth/x.js")
        #expect(store.files[0].messages.contains("line 2: #Fields names cs-uri-stem more than once (columns 4, 5); rules and filters read the first"),
                "\(store.files[0].messages)")
    }
}

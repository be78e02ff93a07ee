import ExchangeEvidence
import Testing

@Suite struct ExchangeCSVReaderTests {
    @Test func httpProxyColumnsAreMappedByName() throws {
        let (store, report) = try Fixtures.load(Fixtures.path("httpproxy/HttpProxy_2023010919-1.LOG"))
        #expect(report.filesAdded == 1)
        #expect(store.count == 3, "the bare CSV header line before the directives is not an event")
        let f = store.files[0]
        #expect(f.kind == .httpProxy)
        #expect(f.facts["exchange.version"] == "15.01.2375.007")
        #expect(f.server == "SERVER-HOSTNAME", "a single file takes its server from ServerHostName")
        #expect(store.value(.clientIP, 0) == "95.1.2.3")
        #expect(store.value(.urlStem, 0) == "/autodiscover/autodiscover.xml")
        #expect(store.value(.userAgent, 0) == "AppleExchangeWebServices/818.120.2 accountsd/113")
        #expect(store.value(.anchorMailbox, 0) == "Sid~S-1-5-21-123456789-9876543211-123456798-4343")
        #expect(store.value(.status, 1) == "200")
        #expect(store.value(.method, 1) == "GET")
        #expect(store.value(.serverBuild, 0) == "15.1.2375.7")
        #expect(Timestamp.iso(store.time[0]) == "2023-01-09T19:00:00.130Z")
        #expect(store.line(of: 0) == 7)
        #expect(f.problems.total == 0)
    }

    /// A `DateTime` written with an offset is that moment in UTC (reviewer: `07:00:02+01:00` was read as 07:00:02Z).
    @Test func aTimeWithAnOffsetIsReadAsUTC() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,ServerHostName,UrlStem,ClientIpAddress,HttpStatus\r\n"
                       + "2021-03-03T07:00:02+01:00,EX01,/ecp/y.js,10.0.0.1,200\r\n2021-03-03T06:00:03Z,EX01,/ecp/y.js,10.0.0.1,200\r\n",
                       "EX01/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.time.map(Timestamp.iso) == ["2021-03-03T06:00:02.000Z", "2021-03-03T06:00:03.000Z"])
        #expect(store.files[0].problems.total == 0)
    }

    @Test func quotedValuesFollowRFC4180() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("httpproxy/HttpProxy_2023010919-1.LOG"))
        #expect(store.value(.userAgent, 2) == "Mozilla/5.0 (Windows NT 10.0, \"quoted\")")
        #expect(store.value(.clientIP, 2) == "95.1.2.4", "columns after a quoted comma stay aligned")
        #expect(store.field("AnchorMailbox", of: 2) == "Smtp~user2@domain.com")
    }

    /// A quote that never closes took the rest of the line: the values before it are read, it and the ones after it
    /// are not (reviewer: the user agent held the client IP and the rest of the row), and the line says so.
    @Test func anUnclosedQuoteLeavesTheRestUnread() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n"
                       + "#Fields: DateTime,UrlStem,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus\r\n"
                       + "2021-03-03T09:49:44.100Z,/ecp/y.js,ServerInfo~a]@ex01:444/mapi/emsmdb/?#,\"python-requests/2.25.1,130.255.189.21,200\r\n"
                       + "2021-03-03T09:49:45.100Z,/ecp/y.js,ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp#,python,130.255.189.21,241\r\n",
                       "EX06/HttpProxy/Ecp/HttpProxy_2021030309-1.LOG", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 2)
        #expect(store.value(.anchorMailbox, 0) == "ServerInfo~a]@ex01:444/mapi/emsmdb/?#")
        #expect(store.value(.userAgent, 0) == "" && store.value(.clientIP, 0) == "" && store.value(.status, 0) == "")
        #expect(store.field("UserAgent", of: 0) == nil, "the cut-off schema has no such field")
        #expect(store.value(.clientIP, 1) == "130.255.189.21", "the next line is whole")
        #expect(store.files[0].problems.kept.map(\.message) == ["line 4: the quotes of field 4 (UserAgent) do not close where the field ends: "
                                                               + "the 3 fields before it are read, the rest of the line is kept as written"])
        #expect(store.rawLine(0).contains("python-requests/2.25.1,130.255.189.21"))
    }

    @Test func olderVersionsWithOtherColumnsStillMapByName() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("httpproxy/HttpProxy_2013_scanner.LOG"))
        #expect(store.count == 1)
        #expect(store.value(.anchorMailbox, 0) == "ServerInfo~localhost/ecp/default.flt?")
        #expect(store.value(.urlStem, 0) == "/owa/auth/x.js")
        #expect(store.value(.status, 0) == "500")
        #expect(store.value(.serverBuild, 0) == "15.0.1395.0")
        #expect(store.field("RoutingHint", of: 0) == "X-AnonResource-Backend-Cookie")
    }

    @Test func ecpServerEventDataIsUnquoted() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("ecp/ECPServer20210303-1.LOG"))
        #expect(store.count == 2)
        #expect(store.files[0].kind == .ecpServer)
        let data = try #require(store.field("EventData", of: 1))
        #expect(data.hasPrefix("S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\""))
        #expect(data.contains("eval(Request[\"klk123456\"],\"unsafe\")"))
        #expect(store.files[0].problems.total == 0)
    }
}

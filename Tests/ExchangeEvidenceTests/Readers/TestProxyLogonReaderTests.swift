import ExchangeEvidence
import Foundation
import Testing

/// Test-ProxyLogon's output files are evidence: their rows become events with the original logs' fields.
@Suite struct TestProxyLogonReaderTests {
    @Test func httpProxyRowsBecomeHttpProxyEvents() throws {
        let (store, report) = try Fixtures.load(Fixtures.path("test-proxylogon"))
        #expect(report.servers == ["EX01"], "the server is the files' name prefix")
        let csv = try #require(store.files.first { $0.path == "EX01-Cve-2021-26855.csv" })
        #expect(csv.kind == .httpProxy)
        #expect(csv.problems.total == 0)
        #expect(csv.eventCount == 3)
        #expect(csv.selectedBy == "Test-ProxyLogon", "only the flagged rows: coverage must not read them as a period")
        #expect(store.files.allSatisfy { $0.selectedBy == "Test-ProxyLogon" })
        let first = (0..<store.count).first { store.file(of: $0) === csv }!
        #expect(store.value(.clientIP, first) == "130.255.189.21")
        #expect(store.value(.anchorMailbox, first) == "ServerInfo~a]@ex01.contoso.local:444/autodiscover/autodiscover.xml?#")
        #expect(store.value(.userAgent, first) == "ExchangeServicesClient/0.0.0.0")
        #expect(store.value(.urlStem, first) == "/ecp/y.js")
        #expect(store.value(.status, first) == "200")
        #expect(store.time[first] == Timestamp.parse("2021-03-03T06:49:42.162Z"))
    }

    @Test func umEventsKeepWhatTheScriptSelectedThemBy() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("test-proxylogon"))
        let e = try #require((0..<store.count).first { store.file(of: $0).path == "EX01-Cve-2021-26857.csv" })
        #expect(store.kind(of: e) == .eventLog)
        #expect(store.field("Provider", of: e) == "MSExchange Unified Messaging")
        #expect(store.field("Level", of: e) == "2")
        #expect(store.field("Channel", of: e) == "Application")
        #expect(store.field("Message", of: e)?.contains("System.InvalidCastException") == true)
        #expect(store.time[e] == Timestamp.parse("2021-03-03T04:11:24Z"))
    }

    @Test func pathListsKeepOnePathAnEvent() throws {
        let (store, _) = try Fixtures.load(Fixtures.path("test-proxylogon"))
        let paths = (0..<store.count).filter { store.kind(of: $0) == .oabDownloadPath }
        #expect(paths.map { store.value(.urlStem, $0) } == ["\\\\EX01\\C$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx"])
        let flagged = (0..<store.count).filter { store.kind(of: $0) == .flaggedLogFile }
        #expect(flagged.count == 1)
    }

    @Test func aCSVOfAnotherShapeWithTheSameNameIsNotMisread() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write("\"A\",\"B\"\r\n\"1\",\"2\"\r\n", "EX01-Cve-2021-26855.csv", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].kind != .httpProxy)
    }
}

@testable import ExchangeEvidence
import Foundation
import Testing

/// CSV exports of web logs from a SIEM (Splunk's raw events, Sentinel's `W3CIISLog` from the portal) must give the
/// IIS events their lines give; before, they were read as text and a web shell in them went unseen.
@Suite struct SIEMCSVReaderTests {
    static func load(_ name: String) throws -> EventStore {
        try Fixtures.load(Fixtures.path("siem/" + name)).0
    }

    @Test func sentinelPortalExportIsReadWithItsBrowserTimes() throws {
        let store = try Self.load("sentinel-portal.csv")
        #expect(store.files.map { "\($0.server) \($0.kind)/\($0.channel) \($0.eventCount)" } == ["EX01 iis/W3SVC1 3"])
        #expect((0..<store.count).map { Timestamp.iso(store.time[$0]) }
                == ["2021-03-03T02:41:07.000Z", "2021-03-13T18:51:06.000Z", "2021-03-04T09:12:55.000Z"],
                "`3/13/2021, 6:51:06.000 PM` under `TimeGenerated [UTC]`, in a CRLF file")
        #expect(store.value(.urlStem, 1) == "/aspnet_client/discover.aspx")
        #expect(store.field("cs-uri-query", of: 1) == "cmd=whoami")
        #expect(store.value(.userAgent, 1) == "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)")
        #expect(store.value(.clientIP, 0) == "165.232.154.116")
        #expect((0..<store.count).map { store.line(of: $0) } == [2, 3, 4])
        #expect(store.files[0].problems.kept.map(\.message) == [
            "line 2: sentinel export of IIS requests: each record is read as the IIS line it was logged as (fields from mappings/web-export-fields.tsv)",
        ])
    }

    @Test func splunkRawColumnHoldsWebLines() throws {
        let store = try Self.load("splunk-export.csv")
        let iis = try #require(store.files.first { $0.kind == .iis })
        #expect("\(iis.server) \(iis.channel) \(iis.eventCount)" == "EX02 W3SVC1 2")
        #expect(store.value(.urlStem, 1) == "/aspnet_netclient/4_0_30319/devilzShell.aspx")
        #expect(store.value(.clientIP, 0) == "139.162.202.236")
        #expect(Timestamp.iso(store.time[1]) == "2022-10-06T18:51:06.000Z", "the line's own date and time")
        #expect(store.field("sourcetype", of: 2) == "syslog", "a row of another log is a record")
        let problems = store.files.flatMap { $0.problems.kept.map(\.message) }
        #expect(problems.contains { $0.hasPrefix("line 4: a row that is no web log line nor request") })
    }

    /// The portal writes times as the browser shows them: a file whose dates do not settle day and month says
    /// which it chose, and one exported in local time says it is read as UTC.
    @Test func ambiguousOrLocalTimesAreSaid() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "TimeGenerated [Local Time],csMethod,csUriStem,cIP,scStatus,Computer\n"
            + "\"03/04/2021 10:00:00\",GET,/owa/,203.0.113.5,200,EX01\n"
        Fixtures.write(Array(text.utf8), "w3c.csv", in: dir)
        let store = try Fixtures.load(dir.appendingPathComponent("w3c.csv").path).0
        #expect(store.count == 1 && store.value(.urlStem, 0) == "/owa/")
        #expect(store.files[0].problems.countsByKind.contains { $0.kind == ProblemLog.localTimeAsUTCKind }, "the guess `load` warns of")
        #expect(store.files[0].problems.kept.map(\.message).contains { $0.contains("day and month order cannot be told") })
        // With the zone given, converted (reviewer: --local-time was ignored).
        var loader = EvidenceLoader(workers: 1)
        loader.localTimeZone = TimeZone(identifier: "Europe/Oslo")
        let zoned = EventStore()
        _ = try loader.load(dir.appendingPathComponent("w3c.csv").path, into: zoned)
        #expect(Timestamp.iso(zoned.time[0]) == "2021-03-04T09:00:00.000Z")
    }

    @Test func aCSVOfAnotherKindIsNotClaimed() {
        let head = Array("Name,Length,LastWriteTime\nx.aspx,12,3/3/2021 6:50:01 AM\n".utf8)
        #expect(head.withUnsafeBytes { SIEMCSVReader().score(path: "list.csv", head: $0) } == 0)
    }

    /// A union query's export whose first rows are another table's (Heartbeat) is still read (reviewer: text).
    @Test func aUnionExportBeginningWithAnotherTableIsRead() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "TimeGenerated [UTC],Type,Computer,Category,csMethod,csUriStem,cIP,scStatus\r\n"
            + "\"3/3/2021, 2:40:00.000 AM\",Heartbeat,EX01,Direct Agent,,,,\r\n"
            + "\"3/3/2021, 2:41:07.000 AM\",W3CIISLog,EX01,,POST,/ecp/y.js,165.232.154.116,200\r\n"
        Fixtures.write(Array(text.utf8), "union.csv", in: dir)
        let store = try Fixtures.load(dir.appendingPathComponent("union.csv").path).0
        #expect(store.files.contains { $0.kind == .iis && $0.server == "EX01" })
        #expect(store.value(.urlStem, 1) == "/ecp/y.js")
    }

    /// Kibana's Discover CSV writes `Mar 3, 2021 @ 06:49:42.000` in the browser's zone: read as local time, converted
    /// with --local-time, else a guess `load` warns of (reviewer: every row was undated).
    @Test func kibanasDefaultDatesAreLocalTimes() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "\"@timestamp\",\"event.dataset\",\"host.name\",\"source.ip\",\"http.request.method\",\"url.path\",\"http.response.status_code\"\n"
            + "\"Mar 3, 2021 @ 07:49:42.000\",\"iis.access\",\"EX08\",\"130.255.189.21\",\"post\",\"/ecp/y.js\",\"200\"\n"
        Fixtures.write(Array(text.utf8), "kibana.csv", in: dir)
        let path = dir.appendingPathComponent("kibana.csv").path
        let guessed = try Fixtures.load(path).0
        #expect(Timestamp.iso(guessed.time[0]) == "2021-03-03T07:49:42.000Z")
        #expect(guessed.files[0].problems.countsByKind.contains { $0.kind == ProblemLog.localTimeAsUTCKind })
        var loader = EvidenceLoader(workers: 1)
        loader.localTimeZone = TimeZone(identifier: "Europe/Oslo")
        let zoned = EventStore()
        _ = try loader.load(path, into: zoned)
        #expect(Timestamp.iso(zoned.time[0]) == "2021-03-03T06:49:42.000Z" && zoned.value(.method, 0) == "POST")
        #expect(KibanaTime.parse("Dec 31, 2021 @ 23:59:59.999").map(Timestamp.iso) == "2021-12-31T23:59:59.999Z")
        #expect(KibanaTime.parse("Foo 3, 2021 @ 06:49:42.000") == nil && KibanaTime.parse("2021-03-03T06:49:42Z") == nil)
    }
}

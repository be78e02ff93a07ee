@testable import ExchangeEvidence
import Foundation
import Testing

/// SIEM exports of IIS logs made field by field (Sentinel's `W3CIISLog`, Filebeat's ECS `iis.access`) must give
/// the events the IIS log's own lines give: the web rules and indicators read those fields, and an export read as
/// records left a web shell in it unseen.
@Suite struct WebRecordLineTests {
    static func load(_ name: String) throws -> EventStore {
        try Fixtures.load(Fixtures.path("json/" + name)).0
    }

    @Test func sentinelRowsAreIISEventsOfTheirComputer() throws {
        let store = try Self.load("sentinel-w3ciislog.json")
        #expect(store.files.map { "\($0.server) \($0.kind)/\($0.channel) \($0.eventCount)" } == ["EX01 iis/W3SVC1 4"])
        #expect((0..<store.count).map { store.line(of: $0) } == [2, 31, 50, 68], "each row cites the line its object starts on")
        #expect(store.value(.urlStem, 0) == "/ecp/y.js")
        #expect(store.value(.method, 0) == "POST")
        #expect(store.value(.clientIP, 0) == "165.232.154.116")
        #expect(store.value(.status, 0) == "200")
        #expect(Timestamp.iso(store.time[0]) == "2021-03-03T02:41:07.000Z")
        // Numbers as the API writes them, and a user agent with spaces written back in IIS's form.
        #expect(store.field("sc-status", of: 1) == "200")
        #expect(store.field("cs-uri-query", of: 1)?.hasPrefix("dir=C%3A%5C&cmd=dsquery") == true)
        #expect(store.value(.userAgent, 1).hasPrefix("Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)"))
        #expect(store.value(.user, 2) == "CONTOSO\\alice")
        // A row of another table (Heartbeat) is no request: kept as a record, and said.
        #expect(store.field("Type", of: 3) == "Heartbeat")
        #expect(Timestamp.iso(store.time[3]) == "2021-03-04T09:13:00.000Z", "a record is timed by TimeGenerated too")
        let problems = store.files[0].problems.kept.map(\.message)
        #expect(problems.contains { $0.hasPrefix("line 2: sentinel export of IIS requests") })
        #expect(problems.contains { $0.hasPrefix("line 68:") && $0.contains("no known event shape") })
    }

    @Test func filebeatDocumentsInElasticsearchHitsAreIISEvents() throws {
        let store = try Self.load("filebeat-iis.ndjson")
        #expect(store.files.map { "\($0.server) \($0.kind)/\($0.channel)" } == ["EX02 iis/W3SVC1"])
        #expect(store.value(.urlStem, 0) == "/owa/auth/Current/themes/resources/lgnbotl.gif")
        #expect(store.field("cs-uri-query", of: 0) == "&CorrelationID=<empty>;&cafeReqId=9f4c1e2a-5b7d-4c3e-8a1f-2b6d0e9c7a55;&encoding=;")
        #expect(store.value(.clientIP, 0) == "86.105.18.116")
        #expect(store.field("s-ip", of: 0) == "10.0.0.12")
        #expect(store.field("s-port", of: 0) == "443")
        #expect(store.value(.userAgent, 0) == "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.190+Safari/537.36")
        #expect(store.value(.status, 1) == "200")
        // HTTP.sys's error log (iis.error) is no request of the access log: a record.
        #expect(store.field("event.dataset", of: 2) == "iis.error")
        #expect(store.value(.urlStem, 2).isEmpty)
    }

    /// A value cannot break the line it is written into: white space becomes IIS's `+`, and a control character
    /// is named as it is in a log file's line.
    @Test func hostileValuesStayInTheirField() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let row = #"{"TimeGenerated":"2021-03-03T02:41:07Z","csMethod":"GET","csUriStem":"/owa/auth/x.aspx","cIP":"198.51.100.9","#
            + #""csUserAgent":"a\tb\r\nc \u001b[31mred","scStatus":"200","Computer":"EX01"}"#
        Fixtures.write(Array(row.utf8), "export.json", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("export.json").path)
        #expect(store.count == 1)
        #expect(store.value(.userAgent, 0) == "a+b++c+\u{1B}[31mred")
        #expect(store.value(.status, 0) == "200", "the fields after the user agent keep their places")
        #expect(store.files[0].problems.kept.contains { $0.message.contains("line 1") && $0.message.lowercased().contains("control") })
    }

    /// An export that begins with a row of another table (Sentinel's Heartbeat, an `iis.error` document) is still an
    /// export: its requests load (reviewer: the whole file was kept as text).
    @Test func anExportBeginningWithAnotherTablesRowIsRead() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = #"{"TimeGenerated":"2021-03-04T09:13:00Z","Computer":"EX01","Category":"Direct Agent","Type":"Heartbeat"}"# + "\n"
            + #"{"TimeGenerated":"2021-03-03T02:41:07Z","csMethod":"POST","csUriStem":"/ecp/y.js","cIP":"165.232.154.116","scStatus":"200","Computer":"EX01","Type":"W3CIISLog"}"# + "\n"
        Fixtures.write(Array(text.utf8), "mixed.json", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("mixed.json").path)
        #expect(store.files.map { "\($0.server) \($0.kind)" } == ["EX01 iis"])
        #expect(store.value(.urlStem, 1) == "/ecp/y.js")
    }

    /// Filebeat 7 lower-cases the method and exports no site when IIS logged none (s-sitename is not a default field):
    /// the method is written back as IIS logs it, and the site comes from the log's path (reviewer: `post`, no channel).
    @Test func filebeatsLowerCaseMethodAndTheSiteFromTheLogsPath() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = #"{"@timestamp":"2021-03-03T03:12:09.000Z","host":{"name":"EX02"},"event":{"dataset":"iis.access"},"#
            + #""log":{"file":{"path":"C:\\inetpub\\logs\\LogFiles\\W3SVC2\\u_ex210303.log"}},"http":{"request":{"method":"post"},"#
            + #""response":{"status_code":200}},"url":{"path":"/ecp/y.js"},"source":{"address":"86.105.18.116"}}"# + "\n"
        Fixtures.write(Array(doc.utf8), "fb.ndjson", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("fb.ndjson").path)
        #expect(store.value(.method, 0) == "POST")
        #expect(store.files.map { "\($0.server) \($0.channel)" } == ["EX02 W3SVC2"])
    }
}

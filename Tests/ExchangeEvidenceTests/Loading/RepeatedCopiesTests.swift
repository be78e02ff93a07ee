@testable import ExchangeEvidence
import Foundation
import Testing

/// Test-ProxyLogon's selection beside the HttpProxy logs it was made from: its rows are those logs' lines, counted
/// once (reviewer: "11 SSRF requests" where there were 6). A selection with rows the logs lack stays evidence.
@Suite struct RepeatedCopiesTests {
    static let rows = [
        ("2021-03-03T06:49:42.162Z", "1d3f5c6e-0001-4a2b-9c3d-5e6f7a8b9c01", "/ecp/y.js"),
        ("2021-03-03T06:49:46.210Z", "1d3f5c6e-0002-4a2b-9c3d-5e6f7a8b9c02", "/ecp/y.js"),
    ]

    static func write(_ dir: URL, logRows: Int, csvRows: [(String, String, String)]) {
        var log = "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,RequestId,ClientIpAddress,UrlStem,AnchorMailbox,HttpStatus\r\n"
        for (time, id, stem) in rows.prefix(logRows) {
            log += "\(time),\(id),130.255.189.21,\(stem),ServerInfo~a]@ex01.contoso.local:444/autodiscover/autodiscover.xml?#,200\r\n"
        }
        Fixtures.write(Array(log.utf8), "EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", in: dir)
        var csv = "#TYPE Selected.System.Management.Automation.PSCustomObject\r\n\"DateTime\",\"RequestId\",\"ClientIpAddress\",\"UrlStem\",\"AnchorMailbox\",\"HttpStatus\"\r\n"
        for (time, id, stem) in csvRows {
            csv += "\"\(time)\",\"\(id)\",\"130.255.189.21\",\"\(stem)\",\"ServerInfo~a]@ex01.contoso.local:444/autodiscover/autodiscover.xml?#\",\"200\"\r\n"
        }
        Fixtures.write(Array(csv.utf8), "tpl/EX01-Cve-2021-26855.csv", in: dir)
    }

    @Test func aSelectionTheLogsHoldIsCountedInTheLogs() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.write(dir, logRows: 2, csvRows: Self.rows)
        // Either order of loading.
        for order in [["EX01", "tpl"], ["tpl", "EX01"]] {
            let store = EventStore()
            for name in order { _ = try EvidenceLoader(workers: 1).load(dir.appendingPathComponent(name).path, into: store) }
            let tpl = try #require(store.files.first { $0.path.hasSuffix("Cve-2021-26855.csv") })
            #expect(tpl.kind == .flaggedRequest, "\(order)")
            #expect(tpl.kind.repeatsOtherRows)
            #expect(tpl.problems.kept.contains { $0.message.hasPrefix("its 2 rows are lines of EX01's HttpProxy logs") })
        }
    }

    @Test func aSelectionWithRowsTheLogsLackStays() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.write(dir, logRows: 1, csvRows: Self.rows)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        #expect(store.files.first { $0.path.hasSuffix("Cve-2021-26855.csv") }?.kind == .httpProxy)
    }
}

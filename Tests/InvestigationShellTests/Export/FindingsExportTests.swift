import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// `export findings`: the hunt's findings as ECS alerts in a bulk body, or as Timesketch rows.
@Suite struct FindingsExportTests {
    @Test func bulkAlertsOnePerTimedFinding() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        let findings = t.session.findingCitationsRunningHunt()
        let timed = findings.findingIDs.filter { findings.facts(ofFinding: $0)!.time != Timestamp.unknown }
        let file = dir.appendingPathComponent("f.ndjson")
        let result = try JSONSerialization.jsonObject(with: Data(try t.run("export findings \(file.path) --json").utf8)) as! [String: Any]
        let pairs = try EventsExportTests.bulk(try String(contentsOf: file, encoding: .utf8))
        #expect(pairs.count == timed.count && result["findings"] as? Int == timed.count)
        for (action, doc) in pairs {
            #expect((action["create"] as? [String: Any])?["_index"] as? String == "exhunt-findings")
            let flat = EventsExportTests.flatten(doc)
            for (path, value) in flat {
                if let type = EventsExportTests.ecsTypes[path] { #expect(EventsExportTests.fits(value, type), "\(path)") }
                else { #expect(path.hasPrefix("exhunt."), "unexpected field \(path)") }
            }
            #expect(flat["event.kind"] as? String == "alert")
            let id = flat["exhunt.finding.id"] as! String
            let facts = try #require(findings.facts(ofFinding: id))
            #expect(flat["rule.id"] as? String == facts.rule && flat["host.name"] as? String == facts.server)
            #expect((flat["exhunt.finding.cites"] as? [String])?.count == findings.events(ofFinding: id)?.count)
        }
        let chain = try #require(pairs.map { EventsExportTests.flatten($0.1) }.first { $0["rule.id"] as? String == "chain.proxylogon" })
        #expect(chain["event.severity"] as? Int == 5 && (chain["vulnerability.id"] as? [String])?.contains("CVE-2021-26855") == true)
    }

    @Test func timesketchRowsInCSVAndJSONL() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let jsonl = dir.appendingPathComponent("f.jsonl"), csv = dir.appendingPathComponent("f.csv")
        try t.run("export findings \(jsonl.path)")
        try t.run("export findings \(csv.path)")
        let rows = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(!rows.isEmpty)
        for r in rows { TimelineExportTests.checkRow(r) }
        let records = TimelineExportTests.parseCSV(try String(contentsOf: csv, encoding: .utf8))
        #expect(records[0] == FindingsExport.columns && records.count == rows.count + 1)
        for r in records.dropFirst() { TimelineExportTests.checkRow(Dictionary(uniqueKeysWithValues: zip(records[0], r))) }
    }
}

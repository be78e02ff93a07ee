import Foundation
@testable import InvestigationShell
import Testing

/// Marking an event again says what it replaces; lowering a label needs --force.
@Suite struct MarkReplaceTests {
    @Test func remarkingSaysWhatItReplacesAndDowngradesNeedForce() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let key = "Ecp/HttpProxy_2021030306-1.LOG:6"
        try t.run("mark \(key) as suspicious --note 'odd cookie'")
        let up = try t.shown("mark \(key) as malicious")
        #expect(up.contains("was marked suspicious by \(CaseState.user) at ") && up.contains(": now malicious, note kept"))
        let refused = t.failure("mark \(key) as benign --note 'scanner'")
        #expect(refused.contains("already marked higher than benign") && refused.contains("malicious, note 'odd cookie'"))
        #expect(refused.contains("--force"))
        #expect(CaseState.of(t.session).marks().first?.label == "malicious", "a refused downgrade changes nothing")
        let down = try t.shown("mark \(key) as benign --note 'scanner' --force")
        #expect(down.contains("was marked malicious") && down.contains("note 'odd cookie' replaced"))
        let mark = try #require(CaseState.of(t.session).marks().first)
        #expect(mark.label == "benign" && mark.note == "scanner")
        // Same weight is no downgrade.
        #expect(try t.shown("mark \(key) as reviewed").contains("was marked benign"))
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("mark \(key) as suspicious --json").utf8)) as! [String: Any]
        #expect((doc["replaced"] as! [[String: Any]]).first?["label"] as? String == "reviewed")
    }

    @Test func interactiveUseAsksInsteadOfNeedingForce() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let key = "Ecp/HttpProxy_2021030306-1.LOG:6"
        try t.run("mark \(key) as malicious --note 'chain'")
        var asked: [String] = []
        t.session.confirm = { asked.append($0); return false }
        #expect(t.failure("mark \(key) as benign") == "mark: nothing changed")
        #expect(asked.count == 1 && asked[0].contains("marked higher than benign") && asked[0].hasSuffix("Lower to benign?"))
        #expect(CaseState.of(t.session).marks().first?.label == "malicious")
        t.session.confirm = { _ in true }
        #expect(try t.shown("mark \(key) as benign").contains("now benign, note kept"))
        #expect(asked.count == 1, "raising or keeping a label asks nothing")
        t.session.confirm = { asked.append($0); return true }
        try t.run("mark \(key) as suspicious")
        #expect(asked.count == 1)
    }

    @Test func fileAndLineNameTheSameEventWhateverElseIsLoaded() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let before = try JSONSerialization.jsonObject(with: Data(try t.run("show Ecp/HttpProxy_2021030306-1.LOG:6 --json").utf8)) as! [String: Any]
        try t.run("load '\(HuntCommandTests.fixtures.appendingPathComponent("iis").path)'")
        let after = try JSONSerialization.jsonObject(with: Data(try t.run("show Ecp/HttpProxy_2021030306-1.LOG:6 --json").utf8)) as! [String: Any]
        #expect(after["sha256"] as? String == before["sha256"] as? String && after["line"] as? Int == 6)
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// The web-server child-process rule on the adversarial shape fuzzing found: many Security 4688 events sharing
/// one process id (each its own parent, so the ids form a cycle). Work is counted in children looked at.
@Suite struct ProcessTreeComplexityTests {
    static func event(_ record: Int, image: String, pid: String = "0x10", parent: String = "0x10") -> String {
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
            + "<EventID>4688</EventID><Level>0</Level><TimeCreated SystemTime='2021-03-03T06:00:00.0000000Z'/>"
            + "<EventRecordID>\(record)</EventRecordID><Channel>Security</Channel><Computer>EX01</Computer></System><EventData>"
            + "<Data Name='SubjectUserName'>EX01$</Data><Data Name='NewProcessId'>\(pid)</Data>"
            + "<Data Name='NewProcessName'>C:\\Windows\\System32\\\(image)</Data><Data Name='ProcessId'>\(parent)</Data>"
            + "<Data Name='CommandLine'>\(image) /c whoami</Data></EventData></Event>\n"
    }

    /// `n` web-server starts and `n` shells, all with process id and creator id 0x10.
    static func store(_ n: Int) throws -> EventStore {
        var xml = ""
        for i in 0..<n { xml += event(2 * i, image: "inetsrv\\w3wp.exe") + event(2 * i + 1, image: "cmd.exe") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tree-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("EX01"), withIntermediateDirectories: true)
        try xml.write(to: dir.appendingPathComponent("EX01/security.xml"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        return store
    }

    func work(_ n: Int) throws -> (steps: Int, findings: Int) {
        let store = try Self.store(n)
        let rule = WebServerChildProcessRule()
        let candidates = Set(store.events(containing: "w3wp.exe", kinds: [.eventLog]))
        let tree = ProcessTree(store)
        let findings = rule.findings(candidates, store: store, tree: tree)
        #expect(findings.allSatisfy { $0.events.count <= 1 + WebServerChildProcessRule.descendantLimit })
        return (tree.steps, findings.count)
    }

    @Test func sharedProcessIdsWalkInLinearWork() throws {
        let small = try work(200), large = try work(400)
        #expect(small.findings == 200 && large.findings == 400, "every shell is a finding")
        #expect(Double(large.steps) <= 2.2 * Double(small.steps), "work \(small.steps) → \(large.steps) for twice the events")
    }

    /// The whole rule, as `hunt` runs it, within a minute (the cubic walk took 36 s on 244 KB of XML).
    @Test(.timeLimit(.minutes(1))) func cubicDescendantsWalk() throws {
        let store = try Self.store(1500)
        let findings = RuleFixtures.run("process.webserver-shell", on: store)
        #expect(findings.count == 1500)
    }
}

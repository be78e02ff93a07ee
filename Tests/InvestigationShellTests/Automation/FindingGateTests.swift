import Foundation
import Testing
@testable import InvestigationShell

/// `--fail-on LEVEL` decides on the hunt's findings: at or above the level, never below.
@Suite struct FindingGateTests {
    @Test func trainingSetTripsCriticalAndEX02OnlyLow() throws {
        let all = ShellHarness()
        try all.shell.execute("load demo")
        let critical = try FindingGate(level: "critical")
        #expect(critical.findings(in: all.session).allSatisfy { $0.severity == .critical })
        #expect(critical.verdict(in: all.session)?.hasPrefix("exhunt: 8 findings at or above critical (8 critical; servers: EX01; rules: ") == true)

        let ex02 = ShellHarness()
        try ex02.shell.execute("load \(Tokenizer.quote(ShellHarness.repoRoot.path + "/help/training/EX02")) --server EX02")
        #expect(try FindingGate(level: "medium").verdict(in: ex02.session) == nil, "the scanner probe is low")
        #expect(try FindingGate(level: "LOW").findings(in: ex02.session).map(\.rule) == ["proxylogon.scanner-probe"])
    }

    /// A finding the analyst cleared (every event marked benign or reviewed) does not trip the gate, as it does
    /// not count in the report (reviewer: a triaged server exited 2 for ever).
    @Test func clearedFindingsDoNotTripTheGate() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = ShellHarness()
        try h.shell.execute("case new \(Tokenizer.quote(dir.appendingPathComponent("g.case").path))")
        try h.shell.execute("load \(Tokenizer.quote(ShellHarness.repoRoot.path + "/help/training/EX02")) --server EX02")
        let low = try FindingGate(level: "low")
        #expect(low.verdict(in: h.session)?.hasPrefix("exhunt: 1 finding at or above low (1 low; servers: EX02; rules: proxylogon.scanner-probe×1); exit status 2") == true)
        #expect(low.clearedNote(in: h.session) == nil)
        try h.shell.execute("hunt")
        try h.shell.execute("mark finding F1 as benign --note 'our scanner'")
        #expect(low.verdict(in: h.session) == nil)
        #expect(low.clearedNote(in: h.session)?.hasPrefix("exhunt: 1 finding at or above low, all cleared by the analyst") == true)
    }

    @Test func nothingLoadedNothingFound() throws {
        #expect(try FindingGate(level: "info").verdict(in: ShellHarness().session) == nil)
    }

    @Test func unknownLevelNamesTheAcceptedOnes() {
        #expect(throws: ShellError("--fail-on: 'severe' is not a severity; use info, low, medium, high, critical")) {
            try FindingGate(level: "severe")
        }
    }
}

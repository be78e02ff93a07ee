import Testing
@testable import InvestigationShell

/// `--fail-on LEVEL` decides on the hunt's findings: at or above the level, never below.
@Suite struct FindingGateTests {
    @Test func trainingSetTripsCriticalAndEX02OnlyLow() throws {
        let all = ShellHarness()
        try all.shell.execute("load demo")
        let critical = try FindingGate(level: "critical")
        #expect(critical.findings(in: all.session).allSatisfy { $0.severity == .critical })
        #expect(critical.verdict(in: all.session)?.hasPrefix("exhunt: 8 findings at or above critical (8 critical; servers: EX01)") == true)

        let ex02 = ShellHarness()
        try ex02.shell.execute("load \(Tokenizer.quote(ShellHarness.repoRoot.path + "/help/training/EX02")) --server EX02")
        #expect(try FindingGate(level: "medium").verdict(in: ex02.session) == nil, "the scanner probe is low")
        #expect(try FindingGate(level: "LOW").findings(in: ex02.session).map(\.rule) == ["proxylogon.scanner-probe"])
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

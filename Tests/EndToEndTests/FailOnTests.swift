import Foundation
import Testing

/// `--fail-on LEVEL`: exit 2 when a finding reaches LEVEL, 0 when none does, 1 when a command failed
/// (a failed run is reported as failed even when it found something), 64 for an unknown level.
@Suite struct FailOnTests {
    @Test func findingsAtTheLevelExitTwo() throws {
        let r = try ExhuntProcess.run(["-c", "load demo", "--fail-on", "critical"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("exhunt: 8 findings at or above critical"))
    }

    @Test func findingsBelowTheLevelExitZero() throws {
        let load = "load help/training/EX02 --server EX02"
        #expect(try ExhuntProcess.run(["-c", load, "--fail-on", "medium"]).status == 0)
        #expect(try ExhuntProcess.run(["-c", load, "--fail-on", "low"]).status == 2)
    }

    /// The gate judges the evidence, not the last command's filter: a `hunt --server EX02` (nothing at high)
    /// still exits 2 for EX01's findings, and without any hunt the gate runs the rules itself.
    @Test func theGateCountsEveryServerAndNeedsNoHunt() throws {
        let filtered = try ExhuntProcess.run(["-c", "load demo; hunt --server EX02 --min-severity high", "--fail-on", "high"])
        #expect(filtered.status == 2)
        #expect(filtered.stdout.contains("EX02: no findings at or above high (1 lower)"))
        #expect(filtered.stderr.contains("servers: EX01; rules: "))
        let noHunt = try ExhuntProcess.run(["-c", "load demo", "--fail-on", "high"])
        #expect(noHunt.status == 2 && noHunt.stderr.contains("servers: EX01; rules: "))
        // A hunt of one rule does not narrow the gate, and the message names the rules it counted (reviewer).
        let oneRule = try ExhuntProcess.run(["-c", "load demo; hunt --rule proxylogon.scanner-probe", "--fail-on", "high"])
        #expect(oneRule.status == 2 && oneRule.stderr.contains("; rules: iis.webshell-access×2, webshell.file×2, chain.proxylogon×1, +14 more)"), "\(oneRule.stderr)")
    }

    /// `mark` with no case open writes `./exhunt.case`; a later run in that folder reads it: the gate does not count
    /// the findings cleared there, and `marks` and `report` show the marks (reviewer: they were ignored until a
    /// `case open`).
    @Test func marksInTheDefaultCaseCountInALaterRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-default-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let load = "load \(ExhuntProcess.repoRoot.path)/help/training/EX02 --server EX02"
        let marked = try ExhuntProcess.run(["-c", load + "; hunt; mark finding F1 as benign --note 'our scanner'"], directory: dir)
        #expect(marked.status == 0 && marked.stderr.contains("created case file ./exhunt.case"), "\(marked.stderr)")
        let gate = try ExhuntProcess.run(["-c", load, "--fail-on", "low"], directory: dir)
        #expect(gate.status == 0, "\(gate.stderr)")
        #expect(gate.stderr.contains("1 finding at or above low, all cleared by the analyst"))
        #expect(gate.stderr.contains("using case file ./exhunt.case (no case was open)"))
        let marks = try ExhuntProcess.run(["-c", load + "; marks"], directory: dir)
        #expect(marks.stdout.contains("benign") && marks.stdout.contains("our scanner"), "\(marks.stdout)")
    }

    @Test func aFailedCommandIsOneEvenWithFindings() throws {
        let r = try ExhuntProcess.run(["--keep-going", "--fail-on", "low"], stdin: "load demo\nnosuch\n")
        #expect(r.status == 1)
        #expect(!r.stderr.contains("exit status 2"))
    }

    @Test func unknownLevelIsAUsageError() throws {
        let r = try ExhuntProcess.run(["-c", "set", "--fail-on", "severe"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("'severe' is not a severity"))
    }
}

import Foundation
import Testing
@testable import InvestigationShell

/// Every command file under `scripts/` runs on the training evidence with its output compared to a golden
/// file, so a change that breaks a saved investigation fails CI. Scripts get `$EVIDENCE` (the training set)
/// and `$OUT` (a fresh folder for what they write). Scripts using commands this build lacks are skipped.
@Suite(.serialized) struct ScriptGoldenTests {
    static var scripts: [String] {
        let folder = ShellHarness.repoRoot.appendingPathComponent("scripts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".exh") }.sorted()
    }

    @Test func triageScriptExists() {
        #expect(Self.scripts.contains("triage.exh"))
    }

    @Test(arguments: scripts) func scriptMatchesGolden(_ name: String) throws {
        let text = try String(contentsOf: ShellHarness.repoRoot.appendingPathComponent("scripts").appendingPathComponent(name), encoding: .utf8)
        let missing = Golden.missingCommands(in: text.components(separatedBy: "\n"))
        if !missing.isEmpty { try Golden.skip("the golden test of scripts/\(name)", missing: missing) }

        let out = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let h = ShellHarness()
        h.session.variables["EVIDENCE"] = ShellHarness.repoRoot.appendingPathComponent("help/training").path
        h.session.variables["OUT"] = out.path
        let result = h.shell.runScript(text, name: "scripts/" + name, echo: true, keepGoing: false)
        #expect(result.failures == 0, "\(result.firstError ?? "")")
        try Golden.check(Golden.normalize(h.out.combined, temporary: out), "scripts/" + name.replacingOccurrences(of: ".exh", with: ".txt"))
    }
}

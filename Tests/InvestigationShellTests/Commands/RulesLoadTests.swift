import ExchangeDetection
import Foundation
@testable import InvestigationShell
import Testing

/// `rules load`: YARA files and folders into the session and the case; `hunt` reports their matches.
@Suite struct RulesLoadTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path
    static let rule = """
        rule training_oab_shell
        {
            strings:
                $chopper = /eval\\(Request\\["[a-z0-9]{1,20}"\\],"unsafe"\\)/
            condition:
                $chopper
        }
        """

    static func rulesFolder() throws -> URL {
        let dir = try CaseFileTests.folder().appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("more"), withIntermediateDirectories: true)
        try rule.write(to: dir.appendingPathComponent("shell.yar"), atomically: true, encoding: .utf8)
        try "rule broken {\n  condition:\n    nope(\n}\n".write(to: dir.appendingPathComponent("more/broken.yara"), atomically: true, encoding: .utf8)
        try "not a rule file".write(to: dir.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func aFolderLoadsItsGoodFilesAndHuntReportsTheMatch() throws {
        let dir = try Self.rulesFolder()
        let shell = TestShell()
        try shell.run("load \(Self.training)")
        let out = try shell.shown("rules load \(dir.path)")
        #expect(out.contains("loaded \(dir.path)/shell.yar: 1 yara rule"))
        #expect(out.contains("not loaded: \(dir.path)/more/broken.yara:3: "))
        #expect(out.contains("1 rule file loaded, 2 problems"), "the compile error, and the rule refused with its file")
        #expect(try shell.run("rules load \(dir.path)").isEmpty, "what rules load says is status: stderr off a terminal, so stdout stays a result (jq)")
        let hunt = try JSONSerialization.jsonObject(with: Data(try shell.run("hunt --json").utf8)) as! [String: Any]
        let findings = hunt["findings"] as! [[String: Any]]
        let yara = try #require(findings.first { $0["rule"] as? String == "yara:training_oab_shell" })
        #expect(yara["file"] as? String == "EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx")
        #expect((yara["summary"] as? String)?.contains("$chopper 'eval(Request[\"klk123456\"],\"unsafe\")' at 0x") == true)
        // A finding like any other: it gates --fail-on and can be marked.
        #expect(try shell.run("hunt --min-severity high").contains("yara:training_oab_shell"))
    }

    @Test func badInputIsRefusedClearly() throws {
        let shell = TestShell()
        #expect(shell.failure("rules load").contains("usage: rules load PATH"))
        #expect(shell.failure("rules load /nonexistent/x.yar").contains("no such file or folder"))
        let dir = try CaseFileTests.folder()
        try "x".write(to: dir.appendingPathComponent("r.txt"), atomically: true, encoding: .utf8)
        #expect(shell.failure("rules load \(dir.path)/r.txt").contains("unknown rule file type"))
        #expect(shell.failure("rules --raw").contains("--raw goes with 'rules load PATH'"))
        try "rule x {".write(to: dir.appendingPathComponent("only-broken.yar"), atomically: true, encoding: .utf8)
        #expect(shell.failure("rules load \(dir.path)/only-broken.yar").contains("nothing loaded"))
    }

    /// Reviewer: `rules load empty.yml` printed "loaded 0 rules … (1 more read, none loaded)", exit status 0, and
    /// nothing about the file. A file with no rule is a problem of its own, so the load fails and says why.
    @Test func aFileWithNoRuleFailsNamingTheFile() throws {
        let dir = try CaseFileTests.folder()
        try "".write(to: dir.appendingPathComponent("empty.yml"), atomically: true, encoding: .utf8)
        try "# only a comment\n\n".write(to: dir.appendingPathComponent("comments.yaml"), atomically: true, encoding: .utf8)
        try "// nothing\n".write(to: dir.appendingPathComponent("empty.yar"), atomically: true, encoding: .utf8)
        let shell = TestShell()
        for name in ["empty.yml", "comments.yaml", "empty.yar"] {
            let message = shell.failure("rules load \(dir.path)/\(name)")
            #expect(message.contains("nothing loaded"), "\(name): \(message)")
            #expect(shell.output.stderr.contains("not loaded: \(dir.path)/\(name): no rule in it"), "\(name)")
        }
        // Beside a file that loads, the empty one is listed as not loaded and the load succeeds.
        try Self.rule.write(to: dir.appendingPathComponent("shell.yar"), atomically: true, encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(try shell.run("rules load \(dir.path) --json").utf8)) as! [String: Any]
        let reasons = (json["not_loaded"] as! [[String: Any]]).map { "\($0["file"]!) \($0["reason"]!)" }
        #expect(reasons.sorted() == ["comments.yaml", "empty.yar", "empty.yml"].map { "\(dir.path)/\($0) no rule in it" })
        #expect(json["loaded"] as? Int == 1)
    }

    @Test func theCaseRemembersRuleFilesAndReloadsThem() throws {
        let dir = try Self.rulesFolder()
        let casePath = dir.deletingLastPathComponent().appendingPathComponent("yara.case").path
        let a = TestShell()
        try a.run("rules load \(dir.path)/shell.yar")                    // before the case: recorded when it opens
        try a.run("case new \(casePath)")
        let rows = try #require(CaseState.of(a.session).file).ruleFiles()
        #expect(rows.map(\.path) == [dir.path + "/shell.yar"])
        #expect(rows.first?.kind == "yara")
        #expect(rows.first?.sha256.count == 64)

        let b = TestShell()
        try b.run("load \(Self.training); case open \(casePath)")
        #expect(b.output.stderr.contains("reloaded 1 yara rule file"))
        #expect(try b.run("hunt").contains("yara:training_oab_shell"))

        // A rule file changed since the case recorded it is reloaded with a warning.
        try (Self.rule + "\n// edited\n").write(to: dir.appendingPathComponent("shell.yar"), atomically: true, encoding: .utf8)
        let c = TestShell()
        try c.run("case open \(casePath)")
        #expect(c.output.stderr.contains("changed since the case recorded it"))
    }

    /// YARA goes through the same `RuleLibrary` as Sigma: `rules` lists its rules (kind yara, id = rule name),
    /// `hunt --rule yara:NAME` runs one, `--raw` is kept with the file, and provenance names both files with SHA-256.
    @Test func yaraAndSigmaShareOneLibrary() throws {
        let dir = try Self.rulesFolder()
        let sigma = dir.appendingPathComponent("sigma")
        try FileManager.default.createDirectory(at: sigma, withIntermediateDirectories: true)
        try RulesCommandTests.webShellPosts.write(to: sigma.appendingPathComponent("post.yml"), atomically: true, encoding: .utf8)
        let shell = TestShell()
        try shell.run("load \(Self.training)")
        try shell.run("rules load \(dir.path)/shell.yar \(sigma.path) --raw")
        let list = try JSONSerialization.jsonObject(with: Data(try shell.run("rules --json").utf8)) as! [[String: Any]]
        let yara = try #require(list.first { $0["kind"] as? String == "yara" })
        #expect(yara["id"] as? String == "training_oab_shell")
        #expect(yara["rule"] as? String == "yara:training_oab_shell")
        #expect(yara["line"] as? Int == 1)
        // A Sigma rule's CVEs (its cve.… tags) are listed as a built-in rule's are (reviewer: '-').
        #expect(list.first { $0["kind"] as? String == "sigma" }?["cves"] as? [String] == ["CVE-2021-27065"])
        #expect(try shell.run("rules").contains("yara:training_oab_shell"))
        #expect(try shell.run("rules").split(separator: "\n").contains { $0.hasPrefix("sigma") && $0.contains("CVE-2021-27065") })
        let one = try shell.run("hunt --rule yara:training_oab_shell")
        #expect(one.contains("yara:training_oab_shell") && !one.contains("sigma:"), "\(one)")
        #expect(shell.failure("hunt --rule yara:nope").contains("no rule 'yara:nope'"))
        #expect(try shell.run("hunt --rule training_oab_shell").contains("yara:training_oab_shell"), "a bare YARA rule name is accepted")
        let library = shell.session.ruleLibrary
        #expect(library.files.first { $0.kind == "yara" }?.options == ["raw"])
        #expect(library.detectionRules.compactMap { $0 as? YaraScanRule }.first?.raw == true)
        let ledger = ProvenanceLedger.of(shell.session).ruleFiles
        #expect(Set(ledger.map(\.kind)) == ["yara", "sigma"])
        #expect(ledger.first { $0.kind == "yara" }?.path == dir.path + "/shell.yar")
        #expect(ledger.allSatisfy { $0.sha256.count == 64 })
        let hunt = try JSONSerialization.jsonObject(with: Data(try shell.run("hunt --json").utf8)) as! [String: Any]
        let files = ((hunt["provenance"] as? [String: Any])?["rule_files"] as? [[String: Any]]) ?? []
        #expect(files.count == 2)

        // The case keeps the option and the reload restores it.
        let casePath = dir.deletingLastPathComponent().appendingPathComponent("both.case").path
        try shell.run("case new \(casePath)")
        #expect(try #require(CaseState.of(shell.session).file).ruleFiles().first { $0.kind == "yara" }?.options == "raw")
        let again = TestShell()
        try again.run("case open \(casePath)")
        #expect(again.output.stderr.contains("reloaded 1 sigma rule file") && again.output.stderr.contains("reloaded 1 yara rule file"))
        #expect(again.session.ruleLibrary.detectionRules.compactMap { $0 as? YaraScanRule }.first?.raw == true)
        #expect(ProvenanceLedger.of(again.session).ruleFiles.count == 2)
    }
}

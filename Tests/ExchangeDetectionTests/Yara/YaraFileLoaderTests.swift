@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// YARA as a `RuleFileLoader`: rule names and lines, broken files by line, libyara's warnings, one scan for all.
@Suite struct YaraFileLoaderTests {
    static let two = """
        rule first { strings: $a = "eval(Request" condition: $a }

        private rule second
        {
            strings:
                $b = { 01 ?? }
            condition:
                $b
        }
        """

    @Test func rulesAreNamedWithTheirLinesAndWarningsKept() {
        let r = YaraFileLoader().load(path: "/r/two.yar", bytes: Array(Self.two.utf8))
        #expect(r.problems.isEmpty)
        #expect(r.rules.map(\.id) == ["first", "second"])
        #expect(r.rules.map(\.line) == [1, 3])
        #expect(r.rules.map(\.findingRule) == ["yara:first", "yara:second"])
        #expect(r.rules.allSatisfy { $0.kind == "yara" && $0.level == "high" })
        #expect(r.warnings.contains { $0.hasPrefix("/r/two.yar:6: warning: ") }, "\(r.warnings)")
    }

    /// libyara compiles a file whole: the error is named by its line, and every rule of the file is listed as not
    /// loaded with it, the sound ones too (reviewer: `ok2` beside a broken rule went unsaid).
    @Test func aBrokenFileNamesItsErrorAndEachRuleRefusedWithIt() {
        let r = YaraFileLoader().load(path: "/r/bad.yar", bytes: Array("rule ok { condition: false }\nrule bad {\n  condition:\n    nope(\n}\n".utf8))
        #expect(r.rules.isEmpty)
        #expect(r.problems.first?.line == 4 && r.problems.first?.id == "" && r.problems.allSatisfy { !$0.unsupported })
        #expect(r.problems.dropFirst().map { "\($0.id):\($0.line ?? 0)" } == ["ok:1", "bad:2"])
        #expect(r.problems.dropFirst().allSatisfy { $0.reason.contains("refused with its file, which did not compile (line 4: ") })
    }

    @Test func loadedFilesRunAsOneScanWithTheirOptions() {
        let loader = YaraFileLoader()
        let a = loader.load(path: "/r/a.yar", bytes: Array("rule a { condition: true }".utf8)).rules
        let b = loader.load(path: "/r/b.yar", bytes: Array("rule b { condition: true }".utf8)).rules
        let plain = loader.detectionRules(a + b, options: [])
        #expect(plain.count == 1)
        let scan = plain.first as? YaraScanRule
        #expect(scan?.raw == false && scan?.fileOfRule == ["a": "a.yar", "b": "b.yar"])
        #expect(scan.map { Set($0.ruleSet.allRuleNames) } == ["a", "b"])
        #expect((loader.detectionRules(a, options: ["raw"]).first as? YaraScanRule)?.raw == true)
    }

    /// A finding names the file its own rule came from, not every loaded YARA file.
    @Test func aFindingNamesItsRulesOwnFile() throws {
        let library = RuleLibrary()
        let dir = try YaraTests.folder(["chopper.yar": #"rule chopper { strings: $x = "eval(Request" condition: $x }"#,
                                        "pe_import.yar": #"rule pe { condition: uint16(0) == 0x5A4D }"#])
        _ = try library.load(dir)
        let scan = try #require(YaraFileLoader().detectionRules(library.rules.filter { $0.kind == "yara" }, options: []).first as? YaraScanRule)
        let evidence = try YaraTests.folder([:])
        let page = URL(fileURLWithPath: evidence).appendingPathComponent("EX01/inetpub/wwwroot/aspnet_client/x.aspx")
        try FileManager.default.createDirectory(at: page.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #"<%eval(Request.Item["z"],"unsafe")%>"#.write(to: page, atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(evidence, into: store)
        let f = scan.run(on: store)
        #expect(f.map(\.rule) == ["yara:chopper"])
        #expect(f.first?.summary.contains("; rule from chopper.yar") == true, "\(f.first?.summary ?? "")")
        #expect(f.first?.summary.contains("pe_import.yar") == false)
    }

    /// A rule name a second file repeats is refused by `rules load` (a problem naming the first file) and does
    /// not run from the second file's source either: only the first file's `dup` matches.
    @Test func aRepeatedRuleNameRunsOnlyFromTheFileThatLoadedIt() throws {
        let library = RuleLibrary()
        let dir = try YaraTests.folder(["a.yar": #"rule dup { strings: $x = "alpha" condition: $x }"#,
                                        "b.yar": #"rule dup { strings: $x = "bravo" condition: $x }  rule other { condition: false }"#])
        let report = try library.load(dir)
        #expect(report.problems.map(\.reason) == ["id dup is already loaded from \(dir)/a.yar:1"])
        let scan = try #require(YaraFileLoader().detectionRules(library.rules.filter { $0.kind == "yara" }, options: []).first as? YaraScanRule)
        let matched = { (text: String) in try Array(text.utf8).withUnsafeBytes { try scan.ruleSet.scan($0, externals: [:]) }.map(\.rule) }
        #expect(try matched("alpha") == ["dup"])
        #expect(try matched("bravo").isEmpty, "the refused copy in b.yar stays off")
    }

    /// The copy of a repeated name that runs is the one whose meta its findings carry: the refused copy in b.yar
    /// declares another severity, which must not leak into a.yar's findings.
    @Test func aRepeatedRuleNameTakesTheSeverityOfTheCopyThatRuns() throws {
        let library = RuleLibrary()
        let dir = try YaraTests.folder(["a.yar": #"rule dup { strings: $x = "alpha" condition: $x }"#,
                                        "b.yar": #"rule dup { meta: score = 45 strings: $x = "alpha" condition: $x }  rule other { condition: false }"#])
        _ = try library.load(dir)
        #expect(library.rules.filter { $0.id == "dup" }.map(\.level) == ["high"])
        let scan = try #require(YaraFileLoader().detectionRules(library.rules.filter { $0.kind == "yara" }, options: []).first as? YaraScanRule)
        #expect(scan.ruleSet.severity(of: "dup") == .high, "a.yar's copy declares no severity: high, not b.yar's low")
    }

    /// `include "NAME"` is read from the including file's folder, as `yara FILE` reads it, whatever the working
    /// directory; a nested include from its own file's folder. A missing one says where it was looked for.
    @Test func includesAreReadRelativeToTheIncludingFile() throws {
        let dir = try YaraTests.folder(["set/ws.yar": "include \"lib/aspx.yar\"\nrule ws { strings: $e = \"eval(\" condition: $e and aspx }",
                                        "set/lib/aspx.yar": "include \"base.yar\"\nprivate rule aspx { condition: base }",
                                        "set/lib/base.yar": "private rule base { strings: $p = \"<%@\" condition: $p }",
                                        "set/broken.yar": "include \"nowhere.yar\"\nrule b { condition: true }"])
        #expect(FileManager.default.currentDirectoryPath != dir + "/set")
        let r = YaraFileLoader().load(path: dir + "/set/ws.yar", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/set/ws.yar"))))
        #expect(r.problems.isEmpty, "\(r.problems.map(\.reason))")
        let scan = try #require(YaraFileLoader().detectionRules(r.rules, options: []).first as? YaraScanRule)
        #expect(try Array("<%@ Page %> eval(x)".utf8).withUnsafeBytes { try scan.ruleSet.scan($0, externals: [:]) }.map(\.rule) == ["ws"])
        let broken = YaraFileLoader().load(path: dir + "/set/broken.yar", bytes: Array("include \"nowhere.yar\"\nrule b { condition: true }".utf8))
        #expect(broken.problems.first?.reason == "can't open include file: nowhere.yar (no file \(dir)/set/nowhere.yar; includes are read relative to the including file)")
        #expect(broken.problems.dropFirst().map(\.id) == ["b"], "the file's rule, refused with it")
    }

    /// A folder whose file includes another of it: the included rule is that file's own, not a repeated name, and
    /// the rules testing it match. A rule testing a refused repeated name tests its own file's copy, never a
    /// silently false one.
    @Test func anIncludedRuleIsNotARepeatAndItsDependentsMatch() throws {
        let library = RuleLibrary()
        let dir = try YaraTests.folder(["common.yar": "private rule aspx { strings: $p = \"<%@\" condition: $p }",
                                        "shells.yar": "include \"common.yar\"\nrule shell { strings: $e = \"eval(\" condition: $e and aspx }",
                                        "x_first.yar": "rule dup { strings: $x = \"alpha\" condition: $x }",
                                        "y_second.yar": "rule dup { strings: $x = \"bravo\" condition: $x }\nrule uses_dup { condition: dup }"])
        let report = try library.load(dir)
        #expect(report.problems.map(\.reason) == ["id dup is already loaded from \(dir)/x_first.yar:1"])
        #expect(library.rules.map(\.id).sorted() == ["aspx", "dup", "shell", "uses_dup"])
        let scan = try #require(YaraFileLoader().detectionRules(library.rules.filter { $0.kind == "yara" }, options: []).first as? YaraScanRule)
        let matched = { (text: String) in try Array(text.utf8).withUnsafeBytes { try scan.ruleSet.scan($0, externals: [:]) }.map(\.rule) }
        #expect(try matched("<%@ Page %> eval(x)") == ["shell"])
        #expect(try matched("bravo") == ["uses_dup"], "y_second.yar's dup runs for its dependent, reports nothing itself")
        // The including file loaded first: the defining file's own copy is the same rule, not a repeat.
        let other = RuleLibrary()
        _ = try other.load(dir + "/shells.yar")
        let again = try other.load(dir + "/common.yar")
        #expect(again.problems.isEmpty, "\(again.problems.map(\.reason))")
    }
}

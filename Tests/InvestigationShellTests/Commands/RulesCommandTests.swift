import ExchangeDetection
import Foundation
@testable import InvestigationShell
import Testing

/// `rules load` and Sigma findings through the shell: on the training set a rule written for HAFNIUM's
/// web-shell POSTs fires on EX01 and not on EX02, and its findings reach `hunt --rule`, `mark finding`,
/// `--fail-on`, the report, and the case (which reloads the rule file when opened).
@Suite struct RulesCommandTests {
    static let ruleID = "9b1f3c57-8a0e-4e1d-b2a4-0c6d7e8f9a10"
    static let webShellPosts = """
        title: POST to an ASPX page in aspnet_client or owa/auth (HAFNIUM web shells)
        id: \(ruleID)
        status: experimental
        description: HAFNIUM dropped China Chopper style ASPX shells in aspnet_client and owa/auth and drove them with POSTs.
        references:
          - https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/
        tags:
          - attack.persistence
          - attack.t1505.003
          - cve.2021-27065
        logsource:
          category: webserver
        detection:
          selection:
            cs-method: POST
            cs-uri-query|contains:
              - '/aspnet_client/'
              - '/owa/auth/'
            cs-uri-query|endswith: '.aspx'
          filter_logon:
            cs-uri-query|contains:
              - '/owa/auth/logon.aspx'
              - '/owa/auth/errorFE.aspx'
          condition: selection and not 1 of filter_*
        level: critical
        """

    static func ruleFolder(_ extra: [String: String] = [:]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("web"), withIntermediateDirectories: true)
        try webShellPosts.write(to: dir.appendingPathComponent("web/hafnium_webshell_post.yml"), atomically: true, encoding: .utf8)
        for (name, text) in extra { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func json(_ t: TestShell, _ line: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(try t.run(line).utf8)) }

    /// A burst whose events matched on different values names them all (up to three), not the first one's
    /// for every event: on the training set the attacker's requests switch user agents within a burst.
    @Test func burstSummaryNamesEveryDistinctValue() throws {
        let rule = """
            title: HAFNIUM user agents
            id: 3c9f1e2a-1111-4a2b-9c3d-7e8f9a0b1c2d
            logsource:
              category: webserver
            detection:
              selection:
                cs-user-agent|contains:
                  - 'python-requests/2.25.1'
                  - 'antSword'
                  - 'ExchangeServicesClient/0.0.0.0'
              condition: selection
            level: medium
            """
        let dir = try Self.ruleFolder(["ua.yml": rule])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load demo")
        try t.run("rules load '\(dir.appendingPathComponent("ua.yml").path)'")
        let findings = (try json(t, "hunt --rule sigma:3c9f1e2a-1111-4a2b-9c3d-7e8f9a0b1c2d --json") as! [String: Any])["findings"] as! [[String: Any]]
        let mixed = try #require(findings.first { ($0["summary"] as? String)?.contains(" | ") == true }, "\(findings.map { $0["summary"]! })")
        let summary = mixed["summary"] as! String
        #expect(summary.contains("python-requests/2.25.1") && summary.contains("ExchangeServicesClient/0.0.0.0"), "\(summary)")
    }

    @Test func hafniumWebShellRuleFiresOnEX01NotEX02() throws {
        let dir = try Self.ruleFolder(["broken.yml": "title: x\ndetection: [\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load demo")
        let loaded = try t.shown("rules load '\(dir.path)'")
        #expect(loaded.contains("loaded 1 rule (1 sigma) from 1 file (1 more read, none loaded); 1 not loaded"), "\(loaded)")
        #expect(loaded.contains("broken.yml:"))

        let hunt = try json(t, "hunt --json") as! [String: Any]
        let findings = hunt["findings"] as! [[String: Any]]
        let sigma = findings.filter { $0["rule"] as? String == "sigma:\(Self.ruleID)" }
        #expect(sigma.count == 1)
        #expect(sigma.first?["server"] as? String == "EX01")
        #expect(sigma.first?["severity"] as? String == "critical")
        #expect((sigma.first?["summary"] as? String)?.hasPrefix("cs-method=POST cs-uri-query=/aspnet_client/supp0rt.aspx") == true)
        #expect((sigma.first?["events"] as? [Int])?.count == 2)
        #expect(hunt["rules_run"] as? Int == RuleRegistry.standard.count + 1)
        #expect(hunt["findings_total"] as? Int == findings.count)
        let critical = try json(t, "hunt --min-severity critical --json") as! [String: Any]
        #expect(critical["findings_total"] as? Int == findings.count, "the total counts what the filters hid")
        #expect((critical["findings"] as! [Any]).count < findings.count)

        let one = try t.run("hunt --rule \(Self.ruleID)")
        #expect(one.contains("sigma:\(Self.ruleID)") && one.contains("EX02: no findings of sigma:\(Self.ruleID)"), "\(one)")
        #expect(t.failure("hunt --rule sigma:nope").contains("no rule 'sigma:nope'"))

        let gate = try FindingGate(level: "critical").findings(in: t.session)
        #expect(gate.contains { $0.rule == "sigma:\(Self.ruleID)" })

        let id = sigma.first?["id"] as! String
        try t.run("case new '\(dir.appendingPathComponent("t.case").path)'")
        try t.run("mark finding \(id) as malicious --note 'web shell'")
        #expect(try t.run("marks --json").contains("web shell"))
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rules-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: report) }
        try t.run("report '\(report.path)'")
        let text = try String(contentsOf: report, encoding: .utf8)
        #expect(text.contains("sigma:\(Self.ruleID)"))
        #expect(text.contains("https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/"))
    }

    /// `help rules/ID` for a loaded rule (every hunt footer points there): what `rules` knows, the description,
    /// references and the rule's text from its file, escaped; a YARA rule's text ends at its closing brace.
    @Test func helpForALoadedRule() throws {
        let yara = "rule shell_a\n{\n    strings:\n        $a = \"eval(Request\"\n    condition:\n        $a\n}\n\nrule shell_b\n{\n    condition:\n        false\n}\n"
        let dir = try Self.ruleFolder(["shells.yar": yara])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("rules load '\(dir.path)'")
        let help = try t.run("help rules/sigma:\(Self.ruleID)")
        #expect(help.contains("POST to an ASPX page in aspnet_client or owa/auth (HAFNIUM web shells)"))
        #expect(help.contains("- file: \(dir.appendingPathComponent("web/hafnium_webshell_post.yml").path):1"))
        #expect(help.contains("HAFNIUM dropped China Chopper style ASPX shells"))
        #expect(help.contains("- https://www.volexity.com/blog/2021/03/02/"))
        #expect(help.contains("        cs-method: POST\n"))
        let shell = try t.run("help rules/yara:shell_a")
        #expect(shell.contains("    rule shell_a\n") && shell.contains("        $a = \"eval(Request\"\n"))
        #expect(!shell.contains("shell_b"), "one rule's text, not the file's")
        #expect(t.failure("help rules/sigma:nope").contains("no help for 'rules/sigma:nope'"))
    }

    /// A rule that came in through a nested `include` is listed, explained and shown at its own file and line
    /// with its own text (the loaded file's path and line, and so another rule's text, were shown); a missing
    /// include is reported at the file holding the directive.
    @Test func anIncludedRuleIsShownFromItsOwnFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rules-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in ["main/top.yar": "include \"sub/nested.yar\"\nrule top_rule { condition: lib_rule }\n",
                             "main/sub/nested.yar": "include \"../../lib/common.yar\"\nrule nested_rule { condition: lib_rule }\n",
                             "lib/common.yar": "// shared\nrule lib_rule { strings: $a = \"Request\" condition: $a }\n",
                             "bad.yar": "include \"main/sub/badnest.yar\"\nrule tb { condition: true }\n",
                             "main/sub/badnest.yar": "\ninclude \"missing.yar\"\nrule bn { condition: true }\n"] {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        try t.run("rules load '\(dir.path)/main/top.yar'")
        let help = try t.run("help rules/yara:lib_rule")
        #expect(help.contains("- file: \(dir.path)/lib/common.yar:2\n") && help.contains("    rule lib_rule {"), "\(help)")
        #expect(!help.contains("top_rule"), "\(help)")
        let rows = try #require(try json(t, "rules --json") as? [[String: Any]]).filter { $0["kind"] as? String == "yara" }
        let places = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as? String ?? "", "\($0["file"] ?? ""):\($0["line"] ?? "")") })
        #expect(places == ["top_rule": "\(dir.path)/main/top.yar:2", "nested_rule": "\(dir.path)/main/sub/nested.yar:2",
                           "lib_rule": "\(dir.path)/lib/common.yar:2"])
        _ = t.failure("rules load '\(dir.path)/bad.yar'")
        let bad = try t.run("rules --not-loaded --json")
        #expect(bad.contains("\"file\": \"\(dir.path)/main/sub/badnest.yar\",") && bad.contains("\"line\": 2,"), "\(bad)")
    }

    /// The bare id, as `hunt --rule` takes it, gives the same help; an id that rules of two kinds share names
    /// both instead of picking one; an id no rule has still has no help.
    @Test func helpForALoadedRuleByItsBareID() throws {
        let yara = "rule shell_a\n{\n    condition:\n        false\n}\n"
        let shared = """
            title: Shares its id with a YARA rule
            id: shell_a
            logsource:
                category: webserver
            detection:
                selection:
                    cs-method: PUT
                condition: selection
            """
        let dir = try Self.ruleFolder(["shells.yar": yara, "shared.yml": shared])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("rules load '\(dir.path)'")
        #expect(try t.run("help rules/\(Self.ruleID)") == (try t.run("help rules/sigma:\(Self.ruleID)")))
        #expect(try t.run("help rules/\(Self.ruleID.uppercased())").contains("POST to an ASPX page in aspnet_client or owa/auth"))
        let both = try t.run("help rules/shell_a")
        #expect(both.contains("More than one loaded rule has this id, one per kind: ") && both.contains("sigma:shell_a")
                && both.contains("yara:shell_a") && both.contains("`help rules/yara:shell_a`"), "\(both)")
        #expect(t.failure("help rules/nope").contains("no help for 'rules/nope'"))
        // hunt refuses the shared bare id too, rather than running one kind's rule.
        try t.run("load demo --quiet")
        #expect(t.failure("hunt --rule shell_a").contains("'shell_a' is the id of loaded rules of several kinds (sigma:shell_a, yara:shell_a)"))
    }

    /// A mistyped rule id is answered with the nearest built-in or loaded rule, as mistyped commands and options are.
    @Test func mistypedRuleIDsGetASuggestion() throws {
        let dir = try Self.ruleFolder(["shells.yar": "rule shell_a\n{\n    condition:\n        false\n}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load demo --quiet; rules load '\(dir.path)'")
        #expect(t.failure("hunt --rule proxylogon.ssrff").hasPrefix("hunt: no rule 'proxylogon.ssrff' (did you mean 'proxylogon.ssrf'?);"))
        #expect(t.failure("hunt --rule yara:shel_a").contains("(did you mean 'yara:shell_a'?)"))
        #expect(t.failure("help rules/proxylogon.ssr").hasPrefix("no help for 'rules/proxylogon.ssr' (did you mean 'help rules/proxylogon.ssrf'?);"))
        #expect(t.failure("help rules/yara:shel_a").contains("(did you mean 'help rules/yara:shell_a'?)"))
        #expect(!t.failure("hunt --rule nothing-like-it").contains("did you mean"))
    }

    @Test func rulesListsKindIdLevelStatusAndFile() throws {
        let dir = try Self.ruleFolder(["agg.yml": """
            title: Many shells
            id: 7e0f0d3a-1111-4000-8000-000000000000
            logsource:
              category: process_creation
              product: windows
            detection:
              sel:
                Image|endswith: '\\cmd.exe'
              condition: sel | count() > 10
            """])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("rules load '\(dir.path)'")
        let list = try json(t, "rules --json") as! [[String: Any]]
        #expect(list.count == RuleRegistry.standard.count + 1)
        let sigma = try #require(list.first { $0["kind"] as? String == "sigma" })
        #expect(sigma["id"] as? String == Self.ruleID)
        #expect(sigma["level"] as? String == "critical" && sigma["status"] as? String == "experimental")
        #expect((sigma["file"] as? String)?.hasSuffix("web/hafnium_webshell_post.yml") == true)
        #expect(list.first { $0["kind"] as? String == "builtin" }?["file"] is NSNull)
        let table = try t.run("rules")
        #expect(table.contains("sigma:\(Self.ruleID)") && table.contains("1 sigma from 1 file (1 not loaded"))
        let problems = try json(t, "rules --not-loaded --json") as! [[String: Any]]
        #expect(problems.count == 1)
        #expect(problems[0]["unsupported"] as? Bool == true && problems[0]["line"] as? Int == 9)
        #expect((problems[0]["reason"] as? String)?.contains("aggregation") == true)
        #expect(t.failure("rules load /no/such/place").contains("no such file or folder"))
        #expect(t.failure("rules load").contains("usage: rules load PATH"))
    }

    /// Two copies of a rule without `id:` in different folders both load, and `rules load` says how each was named.
    @Test func rulesWithoutAnIdAreNamedAfterTheirFileAndSaySo() throws {
        let noID = Self.webShellPosts.replacingOccurrences(of: "id: \(Self.ruleID)\n", with: "")
        let dir = try Self.ruleFolder(["c.yml": noID])
        defer { try? FileManager.default.removeItem(at: dir) }
        try noID.write(to: dir.appendingPathComponent("web/c.yml"), atomically: true, encoding: .utf8)
        let t = TestShell()
        let shown = try t.shown("rules load '\(dir.path)'")
        #expect(shown.contains("loaded 3 rules (3 sigma) from 3 files\n"))
        #expect(shown.contains("  \(dir.path)/c.yml:1: warning: no id: named sigma:c after the file; two files of one name would collide\n"))
        #expect(shown.contains("  \(dir.path)/web/c.yml:1: warning: no id: named sigma:web/c after the file and its folders, "
                               + "as sigma:c is already loaded from another file\n"))
        #expect(t.session.ruleLibrary.problems.isEmpty)
        try t.run("load demo --quiet")
        #expect(try t.run("hunt --rule sigma:web/c").contains("EX01: 1 finding"))
    }

    @Test func caseRemembersRuleFilesAndReloadsThem() throws {
        let dir = try Self.ruleFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.case").path
        let first = TestShell()
        try first.run("rules load '\(dir.path)/web'")        // before the case: recorded when it is created
        try first.run("case new '\(path)'")
        let second = TestShell()
        try second.run("load demo; case open '\(path)'")
        #expect(second.session.ruleLibrary.rules.map(\.id) == [Self.ruleID])
        #expect(try second.run("hunt --rule sigma:\(Self.ruleID)").contains("EX01: 1 finding"))

        // A rule file changed since the case recorded it is loaded as it is now, with a warning.
        try (Self.webShellPosts.replacingOccurrences(of: "level: critical", with: "level: low"))
            .write(to: dir.appendingPathComponent("web/hafnium_webshell_post.yml"), atomically: true, encoding: .utf8)
        let third = TestShell()
        try third.run("case open '\(path)'")
        #expect(third.output.stderr.contains("changed since the case recorded it"))
        #expect(third.session.ruleLibrary.rules.first?.level == "low")
    }
}

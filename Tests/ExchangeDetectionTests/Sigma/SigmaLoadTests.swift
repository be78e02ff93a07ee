@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// Loading rule folders: the good rules load, a broken one is reported with its file and line, unsupported
/// rules are listed with the reason, and findings carry the rule's id, title and level.
@Suite struct SigmaLoadTests {
    static func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-sigma-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let webShellPost = """
        title: POST to an ASPX page under aspnet_client
        id: 5d7c2a1e-2f3b-4c55-9a0e-6b7d8e9f0a11
        status: experimental
        description: HAFNIUM web shells were dropped in aspnet_client and driven with POST requests.
        references:
          - https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/
        tags:
          - attack.persistence
          - cve.2021-27065
        logsource:
          category: webserver
        detection:
          selection:
            cs-method: POST
            cs-uri-query|contains: '/aspnet_client/'
            cs-uri-query|endswith: '.aspx'
          condition: selection
        level: critical
        """

    @Test func folderWithABrokenRuleLoadsTheOthers() throws {
        let dir = try Self.folder([
            "web/shell_post.yml": Self.webShellPost,
            "proc/broken.yml": "title: Broken\nid: 1\nlogsource:\n  category: process_creation\ndetection:\n  sel: [unclosed\n",
            "proc/two.yaml": SigmaFixture.rule(id: "22222222-0000-4000-8000-000000000000", """
                    sel:
                        Image|endswith: '\\cmd.exe'
                    condition: sel
                """) + "\n---\n" + SigmaFixture.rule(id: "33333333-0000-4000-8000-000000000000", """
                    sel:
                        Image|endswith: '\\cmd.exe'
                    condition: sel | count() > 3
                """),
            "notes.txt": "not a rule",
            ".git/config.yml": "title: hidden",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = RuleLibrary()
        let report = try library.load(dir.path)
        #expect(report.files.count == 3)
        #expect(library.rules.map(\.id).sorted() == ["22222222-0000-4000-8000-000000000000", "5d7c2a1e-2f3b-4c55-9a0e-6b7d8e9f0a11"])
        let broken = library.problems.first { $0.file.hasSuffix("proc/broken.yml") }
        // The line where the unclosed list began, and where libyaml gave up (reviewer: only the end was named): the
        // end of the file, not a line 7 the 6-line file does not have.
        #expect(broken?.line == 6)
        #expect(broken?.reason.hasPrefix("not valid YAML") == true && broken?.reason.hasSuffix("(at the end of the file)") == true, "\(broken?.reason ?? "")")
        #expect(broken?.unsupported == false)
        let aggregation = library.problems.first { $0.id == "33333333-0000-4000-8000-000000000000" }
        #expect(aggregation?.unsupported == true)
        #expect(aggregation?.line == 23)
        #expect(library.files.allSatisfy { $0.sha256.count == 64 })
    }

    @Test func reloadingAFileReplacesItsRulesAndDuplicatesElsewhereAreRefused() throws {
        let dir = try Self.folder(["a.yml": Self.webShellPost, "b.yml": Self.webShellPost])
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = RuleLibrary()
        try library.load(dir.appendingPathComponent("a.yml").path)
        try library.load(dir.appendingPathComponent("a.yml").path)
        #expect(library.rules.count == 1)
        try library.load(dir.appendingPathComponent("b.yml").path)
        #expect(library.rules.count == 1)
        #expect(library.problems.first?.reason.contains("already loaded") == true)
    }

    /// A rule without `id:` loads under its file's name and says so; the same name from another folder takes
    /// the folder into its name instead of being refused.
    @Test func rulesWithoutAnIdAreNamedAfterTheFileWithAWarningAndNeverCollide() throws {
        let noID = SigmaFixture.rule("""
                sel:
                    Image|endswith: '\\cmd.exe'
                condition: sel
            """).replacingOccurrences(of: "id: 00000000-0000-4000-8000-000000000001\n", with: "")
        let dir = try Self.folder(["a/c.yml": noID, "b/c.yml": noID, "two.yml": noID + "\n---\n" + noID])
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = RuleLibrary()
        let report = try library.load(dir.path)
        #expect(library.problems.isEmpty)
        #expect(library.rules.map(\.findingRule) == ["sigma:c", "sigma:b/c", "sigma:two-1", "sigma:two-2"])
        let a = dir.appendingPathComponent("a/c.yml").standardizedFileURL.path
        let b = dir.appendingPathComponent("b/c.yml").standardizedFileURL.path
        #expect(report.warnings.first == "\(a):1: warning: no id: named sigma:c after the file; two files of one name would collide")
        #expect(report.warnings.dropFirst().first == "\(b):1: warning: no id: named sigma:b/c after the file and its folders, "
                + "as sigma:c is already loaded from another file")
        #expect(report.warnings.count == 4)
        // The hunt runs both under the names listed.
        let f = Hunter(rules: library.detectionRules).run(on: SigmaFixture.store).findings
        #expect(Set(f.map(\.rule)).isSuperset(of: ["sigma:c", "sigma:b/c"]))
        // Reloading either file keeps the names: a file does not collide with its own earlier load.
        try library.load(b)
        try library.load(a)
        #expect(Set(library.rules.map(\.id)) == ["c", "b/c", "two-1", "two-2"])
    }

    @Test func aNameFromTheFileTakesAsManyFoldersAsItNeeds() {
        #expect(SigmaParser.fileID("/r/x/b/c.yml", index: 0, count: 1, taken: []) == "c")
        #expect(SigmaParser.fileID("/r/x/b/c.yml", index: 0, count: 1, taken: ["c", "b/c"]) == "x/b/c")
        #expect(SigmaParser.fileID("/r/x/b/c.yml", index: 1, count: 2, taken: ["c-2"]) == "b/c-2")
        #expect(SigmaParser.fileID("c.yml", index: 0, count: 1, taken: ["c"]) == "c")  // no folder left: refused as a duplicate
    }

    @Test func unmappedLogSourceIsListedNotDropped() throws {
        let r = SigmaFileLoader().load(path: "x.yml", bytes: Array(SigmaFixture.rule("category: dns\n  product: linux", """
                sel:
                    query: x
                condition: sel
            """).utf8))
        #expect(r.rules.isEmpty)
        #expect(r.problems.first?.reason.contains("not mapped") == true)
    }

    @Test func findingsCarryIdTitleLevelAndTheDecidingValues() throws {
        let rule = try SigmaFixture.parse(Self.webShellPost)
        let f = SigmaPass(rules: [rule]).run(on: SigmaFixture.store)
        #expect(f.count == 1)
        #expect(f.first?.rule == "sigma:5d7c2a1e-2f3b-4c55-9a0e-6b7d8e9f0a11")
        #expect(f.first?.severity == .critical)
        #expect(f.first?.cves == ["CVE-2021-27065"])
        #expect(f.first?.summary == "cs-method=POST cs-uri-query=/aspnet_client/supp0rt.aspx from 167.99.168.251")
        #expect(f.first?.line == 7)
    }

    /// A keyword finding names the keywords it found and the field they are in, not only that some matched;
    /// each is spelled as the event has it (reviewer: a folded `'forwardingsmtpaddress'`), wildcards as compared.
    @Test func keywordFindingsSayWhichKeywordsMatched() throws {
        let rule = try SigmaFixture.parse(SigmaFixture.rule("product: windows\n  service: msexchange-management", """
                keywords:
                    '|all':
                        - 'oabvirtualdirectory'
                        - 'EVAL(REQUEST'
                        - '*unsafe*'
                        - 'Set-*Directory'
                condition: keywords
            """))
        let f = SigmaPass(rules: [rule]).run(on: SigmaFixture.store)
        #expect(f.map(\.summary) == ["keywords 'OabVirtualDirectory', 'eval(Request', 'unsafe' in Data1 (+1 more)"])
    }

    /// The cmdlet log's positional values are fields by the names the readers give them (`CmdletName`,
    /// `CmdletParameters`), next to keywords; the real WEC-forwarded `Set-Mailbox` record.
    @Test func cmdletLogFieldsByName() throws {
        guard let store = try RuleFixtures.evtxStore("exchange-management-set-mailbox-forwarding-wec.evtx") else { return }
        func fires(_ detection: String) throws -> Bool {
            let rule = try SigmaFixture.parse(SigmaFixture.rule("product: windows\n  service: msexchange-management", detection))
            return !SigmaPass(rules: [rule]).run(on: store).isEmpty
        }
        #expect(try fires("""
                sel:
                    CmdletName: 'Set-Mailbox'
                    CmdletParameters|contains: '-ForwardingSmtpAddress'
                    Process|contains: 'w3wp'
                condition: sel
            """))
        #expect(try !fires("""
                sel:
                    CmdletName: 'Set-Mailbox'
                    CmdletParameters|contains: '-ForwardingAddress'
                condition: sel
            """))
        #expect(try fires("""
                keywords:
                    - 'ForwardingSmtpAddress'
                condition: keywords
            """))
    }

    /// Sigma web rules address the path in cs-uri-query and IIS user agents in their '+' form; HttpProxy
    /// requests are web requests too.
    /// `cs-host` is the Host the client asked for: HttpProxy's `UrlHost`, not the server's own name.
    @Test func csHostIsTheRequestedHost() throws {
        #expect(try SigmaFixture.hits(SigmaFixture.rule(SigmaFixture.web, """
                sel:
                    cs-host: 'mail.contoso.com'
                condition: sel
            """)) == ["hp:6", "hp:7"])
    }

    @Test func webserverRulesSeeIISAndHttpProxy() throws {
        let yaml = SigmaFixture.rule(SigmaFixture.web, """
                iis_bot:
                    cs-method: POST
                    cs-uri-query|contains: '/owa/auth/Current/'
                    cs-user-agent: 'DuckDuckBot/1.0;+(+http://duckduckgo.com/duckduckbot.html)'
                ecp:
                    cs-method: POST
                    cs-uri-query|contains: '/ecp/y.js'
                condition: 1 of them
            """)
        #expect(try SigmaFixture.hits(yaml) == ["hp:6", "hp:7", "iis:5"])
        #expect(try SigmaFixture.hits(SigmaFixture.rule(SigmaFixture.web, """
                sel:
                    cs-uri-query|contains: 'schema=Reset'
                    cs-username|endswith: '$'
                condition: sel
            """)) == ["iis:8"])
    }

    @Test func mappingFileBindsEveryDocumentedLogSource() {
        let map = SigmaLogSourceMap.standard
        func kinds(_ ls: SigmaLogSource) -> [String] { map.bindings(for: ls).map { "\($0.kind.rawValue)/\($0.channel ?? "*")" } }
        #expect(kinds(SigmaLogSource(category: "webserver")) == ["iis/*", "httpproxy/*"])
        #expect(kinds(SigmaLogSource(category: "webserver", product: "windows")) == ["iis/*", "httpproxy/*"])
        #expect(kinds(SigmaLogSource(category: "webserver", product: "apache")).isEmpty, "another web server's logs are not IIS's")
        #expect(kinds(SigmaLogSource(category: "process_creation", product: "windows")).count == 2)
        #expect(kinds(SigmaLogSource(product: "windows", service: "msexchange-management")) == ["eventlog/msexchange management"])
        #expect(kinds(SigmaLogSource(category: "file_event", product: "windows")) == ["eventlog/microsoft-windows-sysmon/operational"])
        #expect(throws: (any Error).self) { try SigmaLogSourceMap(yaml: "mappings:\n  - logsource: {category: x}\n    evidence: {kind: iis, chanel: y}\n") }
    }

    /// SigmaHQ names the event's provider `Provider_Name`; every event log entry reads it from `Provider`.
    @Test func providerNameIsTheProviderOfEveryEventLogEntry() {
        let eventLogs = SigmaLogSourceMap.standard.bindings.filter { $0.kind == .eventLog }
        #expect(eventLogs.count > 20)
        for b in eventLogs { #expect(b.source(of: "Provider_Name") == .column("Provider"), "entry \(b.index)") }
    }

    /// Each `---` document is read alone: one YAML cannot read (an unclosed `[`, a repeated key) is a problem at
    /// its own line with its id and title, and the documents after it still load, at their file lines.
    @Test func aBrokenDocumentCostsOnlyItself() {
        func doc(_ n: Int, _ selection: String) -> String {
            "title: rule \(n)\nid: r\(n)\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    \(selection)\n  condition: sel\nlevel: low\n"
        }
        let text = doc(1, "cs-uri-stem: '/a'") + "---\n" + doc(2, "cs-uri-stem: [ '/b'") + "--- # third\n" + doc(3, "cs-uri-stem: '/c'")
            + "---\n" + doc(4, "cs-uri-stem: '/d'\n    cs-uri-stem: '/e'") + "...\n" + doc(5, "cs-uri-stem: '/f'") + "---\n"
        let r = SigmaFileLoader().load(path: "m.yml", bytes: Array(text.utf8))
        #expect(r.rules.map(\.id) == ["r1", "r3", "r5"])
        #expect(r.rules.map(\.line) == [1, 21, 42])
        #expect(r.problems.map(\.id) == ["r2", "r4"])
        #expect(r.problems.map(\.title) == ["rule 2", "rule 4"])
        #expect(r.problems.map(\.line) == [17, 37], "\(r.problems.map(\.reason))")
        #expect(r.problems.allSatisfy { $0.reason.count < 200 && !$0.reason.contains("logsource") }, "\(r.problems.map(\.reason))")
        #expect(r.problems.last?.reason.contains("'cs-uri-stem'") == true)
    }

    /// A file saved on Windows (CRLF) or with a byte-order mark splits as any other: every rule loads, at its line
    /// (reviewer: a CRLF file of two rules loaded none).
    @Test func crlfAndByteOrderMarkFilesSplitToo() {
        func doc(_ n: Int) -> String {
            "title: rule \(n)\nid: r\(n)\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem: '/\(n)'\n  condition: sel\nlevel: low\n"
        }
        let unix = doc(1) + "---\n" + doc(2)
        for text in [unix.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}---\n" + unix, "\u{FEFF}" + unix.replacingOccurrences(of: "\n", with: "\r\n")] {
            let r = SigmaFileLoader().load(path: "w.yml", bytes: Array(text.utf8))
            #expect(r.rules.map(\.id) == ["r1", "r2"] && r.problems.isEmpty, "\(r.problems.map(\.reason))")
        }
    }

    /// A `level:` that is not a level is a warning at its line naming the level used, medium as for none.
    @Test func anUnknownLevelIsSaidWithTheLevelUsed() {
        let text = "title: t\nid: lv\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem: '/owa/'\n  condition: sel\nlevel: severe\n"
        let r = SigmaFileLoader().load(path: "lv.yml", bytes: Array(text.utf8))
        #expect(r.rules.map(\.level) == ["medium"])
        #expect(r.warnings == ["lv.yml:9: warning: level 'severe' is not a level (critical, high, medium, low, informational): medium used"])
    }

    /// YAML null (`~`, `null`) is no level, as a missing key: medium, no warning; a list is not a level and is
    /// said; `info` is read as informational and listed so, Sigma's word.
    @Test func aNullLevelIsNoneAndAListIsSaid() {
        let head = "title: t\nid: lv\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem: '/owa/'\n  condition: sel\nlevel: "
        let got = ["~", "null", "[high]", "info"].map { SigmaFileLoader().load(path: "lv.yml", bytes: Array((head + $0 + "\n").utf8)) }
        #expect(got.map { $0.rules.map(\.level) } == [["medium"], ["medium"], ["medium"], ["informational"]])
        #expect(got.map(\.warnings) == [[], [], ["lv.yml:9: warning: level '[high]' is not a level (critical, high, medium, low, informational): medium used"], []])
    }

    @Test func fileEventRule() throws {
        #expect(try SigmaFixture.hits(SigmaFixture.rule("category: file_event\n  product: windows", """
                sel:
                    Image|endswith: '\\UMWorkerProcess.exe'
                filter:
                    TargetFilename|endswith: ['CacheCleanup.bin', '.txt']
                condition: sel and not filter
            """)) == [])
        #expect(try SigmaFixture.hits(SigmaFixture.rule("category: file_event\n  product: windows", """
                sel:
                    Image|endswith: '\\w3wp.exe'
                    TargetFilename|endswith: '.aspx'
                condition: sel
            """)) == ["rec:201"])
    }

    /// `all of keywords` naming one keyword list reads as any value (pySigma's reading) though an author may have
    /// meant all: said at load. `'|all'` on the list, or `all of` over several searches, reads one way and is not.
    @Test func allOfOneKeywordListIsSaid() throws {
        func note(_ detection: String) throws -> String? {
            try SigmaFixture.parse(SigmaFixture.rule("product: windows\n  service: msexchange-management", detection)).readingNote?.text
        }
        // Said at the condition's line, not the rule's first (reviewer).
        let text = SigmaFixture.rule("product: windows\n  service: msexchange-management", "    keywords:\n      - 'a'\n      - 'b'\n    condition: all of keywords")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(try SigmaFixture.parse(text).readingNote.map { lines[$0.line - 1].contains("condition:") } == true)
        #expect(try note("    keywords:\n      - 'Remove-MailboxExportRequest'\n      - ' -Identity '\n    condition: all of keywords")?
            .hasPrefix("condition 'all of keywords' names one keyword list: any of its values matches") == true)
        #expect(try note("    keywords:\n      '|all':\n        - 'Remove-MailboxExportRequest'\n        - ' -Identity '\n    condition: all of keywords") == nil)
        #expect(try note("    selection_a:\n      - 'a'\n    selection_b:\n      - 'b'\n    condition: all of selection_*") == nil)
        #expect(try note("    keywords:\n      - 'Remove-MailboxExportRequest'\n    condition: all of keywords") == nil)
    }
}

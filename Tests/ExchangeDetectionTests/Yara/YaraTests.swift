@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// YARA through libyara: rules written here in the documented syntax, compiled from files, scanned over
/// buffers and over loaded evidence (collected files as collected; logs with `raw`).
@Suite struct YaraTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Writes `files` (name → text) into a fresh folder and returns its path.
    static func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-yara-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    static let chopper = """
        rule chopper_oab_export : webshell
        {
            meta:
                description = "China Chopper one-liner in an OAB virtual-directory export"
            strings:
                $eval = /eval\\(Request\\[[^\\]]{1,40}\\],\\s*"unsafe"\\)/
                $runat = "runat=\\"server\\"" nocase
                $oab = "ExternalUrl"
            condition:
                all of them and filesize < 64KB
        }
        """

    @Test func stringsAreReportedWithOffsets() throws {
        let dir = try Self.folder(["a.yar": """
            rule two_strings { strings: $a = "hello" $b = { 77 6F 72 6C 64 } condition: $a and #b == 2 }
            rule never { strings: $x = "absent" condition: $x }
            """])
        let result = try YaraCompiler.compile(files: [dir + "/a.yar"])
        #expect(result.diagnostics.filter { !$0.isWarning }.isEmpty)
        #expect(result.files.first?.rules == ["two_strings", "never"])
        let text = Array("say hello world, world".utf8)
        let matches = try text.withUnsafeBytes { try #require(result.ruleSet).scan($0, externals: [:]) }
        #expect(matches.map(\.rule) == ["two_strings"])
        #expect(matches.first?.hits.map { "\($0.string)@\($0.offset)" } == ["$a@4", "$b@10", "$b@17"])
        #expect(matches.first?.hits.first?.data == Array("hello".utf8))
    }

    /// Scans on both cores leave the evidence fault guard as the SIGBUS handler: libyara, left to swap handlers
    /// around each scan, restored the wrong one across threads, and a read past the end of a shrunken mapped
    /// file then faulted forever (a CI run hung on this).
    @Test func scansOnSeveralThreadsLeaveTheEvidenceFaultGuardInPlace() throws {
        EvidenceBytes.installFaultGuard()
        let dir = try Self.folder(["g.yar": #"rule g { strings: $a = "x" condition: $a }"#])
        let ruleSet = try #require(try YaraCompiler.compile(files: [dir + "/g.yar"]).ruleSet)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 { _ = try? Array("xyz".utf8).withUnsafeBytes { try ruleSet.scan($0, externals: [:]) } }
        }
        #expect(EvidenceBytes.faultGuardActive)
    }

    /// A finding takes the severity its rule declares (`severity`/`level`, or a Loki/THOR `score`); high without.
    @Test func severityComesFromTheRulesMeta() throws {
        let dir = try Self.folder(["s.yar": """
            rule named { meta: severity = "Critical" condition: true }
            rule leveled { meta: author = "x" level = "low" condition: true }
            rule scored { meta: score = 65 condition: true }
            rule scored_text { meta: score = "80" condition: true }
            rule notice { meta: score = 45 description = "y" condition: true }
            rule plain { meta: description = "no severity" condition: true }
            rule odd { meta: severity = "urgent" condition: true }
            """])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/s.yar"]).ruleSet)
        let got = ["named", "leveled", "scored", "scored_text", "notice", "plain", "odd"].map { set.severity(of: $0) }
        #expect(got == [.critical, .low, .medium, .high, .low, .high, .high])
        let loaded = YaraFileLoader().load(path: dir + "/s.yar", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/s.yar"))))
        #expect(loaded.rules.map(\.level) == ["critical", "low", "medium", "high", "low", "high", "high"], "rules lists the declared level")
        #expect(loaded.warnings == [dir + "/s.yar:7: warning: rule odd: severity 'urgent' is not a level (critical, high, medium, low, informational): high used"],
                "a word that is not a level is said, with the level used")
    }

    /// A level meta that is a number or boolean is no level word: warned of like an unknown word, with the level
    /// used (the `score`'s when there is one), never silently high.
    @Test func aLevelMetaThatIsNotAWordIsSaid() throws {
        let dir = try Self.folder(["n.yar": """
            rule num { meta: severity = 3 condition: true }
            rule flag { meta: severity = true condition: true }
            rule threat { meta: threat_level = 3 condition: true }
            rule both { meta: severity = "bogus" score = 45 condition: true }
            """])
        let loaded = YaraFileLoader().load(path: dir + "/n.yar", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/n.yar"))))
        #expect(loaded.rules.map(\.level) == ["high", "high", "high", "low"])
        let says = { (line: Int, what: String, used: String) in
            dir + "/n.yar:\(line): warning: rule \(what) is not a level (critical, high, medium, low, informational): \(used) used"
        }
        #expect(loaded.warnings == [says(1, "num: severity '3'", "high"), says(2, "flag: severity 'true'", "high"),
                                    says(3, "threat: threat_level '3'", "high"), says(4, "both: severity 'bogus'", "low")])
    }

    @Test func aBrokenFileIsReportedWithItsLineAndTheOthersLoad() throws {
        let dir = try Self.folder([
            "good.yar": "rule good { strings: $a = \"abc\" condition: $a }\n",
            "broken.yara": "rule fine_here { condition: true }\n\nrule broken {\n    strings:\n        $a = { 4D 5A ZZ }\n    condition:\n        $a\n}\n",
            "also-good.yara": "rule also_good { condition: filesize > 0 }\n",
        ])
        let files = ["good.yar", "broken.yara", "also-good.yara"].map { dir + "/" + $0 }
        let result = try YaraCompiler.compile(files: files)
        #expect(result.rejected == [dir + "/broken.yara"])
        #expect(result.files.map(\.path) == [dir + "/good.yar", dir + "/also-good.yara"])
        let error = try #require(result.diagnostics.first { !$0.isWarning })
        #expect(error.file == dir + "/broken.yara")
        #expect(error.line == 5)
        #expect(error.message == "syntax error")
        #expect(result.ruleSet?.allRuleNames == ["good", "also_good"])
        // Two files may use the same rule name: each file has its own namespace.
        let twin = try Self.folder(["x.yar": "rule same { condition: true }", "y.yar": "rule same { condition: false }"])
        #expect(try YaraCompiler.compile(files: [twin + "/x.yar", twin + "/y.yar"]).rejected.isEmpty)
    }

    @Test func theTrainingWebShellMatchesItsCollectedFile() throws {
        let dir = try Self.folder(["chopper.yar": Self.chopper])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/chopper.yar"]).ruleSet)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(Self.repoRoot.appendingPathComponent("help/training").path, into: store)
        let f = YaraScanRule(ruleSet: set, raw: false, fileOfRule: ["chopper_oab_export": "chopper.yar"]).run(on: store)
        #expect(f.count == 1)
        #expect(f.first?.rule == "yara:chopper_oab_export")
        #expect(f.first?.file == "EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx")
        #expect(f.first?.summary.contains("$eval 'eval(Request[\"klk123456\"],\"unsafe\")' at 0x") == true)
        // The web-folder listing's row for the page joins it and dates it (the copy itself has no time).
        #expect(f.first?.events.count == 2)
        #expect(f.first?.time == Timestamp.parse("2021-03-03T06:59:22Z"))
        #expect(f.first?.summary.hasSuffix("; rule from chopper.yar; time from the file listing") == true)
        // Without --raw the logs are not scanned, with it they are: the OAB URL also sits in the ECP server log.
        let raw = YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store)
        #expect(raw.count >= f.count)
    }

    @Test func rawScansMapHitsToLogLines() throws {
        let dir = try Self.folder(["log.yar": "rule proxyshell_rps { strings: $cat = \"X-Rps-CAT=\" nocase condition: $cat }"])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/log.yar"]).ruleSet)
        let store = try RuleFixtures.store("proxyshell")
        #expect(YaraScanRule(ruleSet: set, raw: false, fileOfRule: [:]).run(on: store).isEmpty)
        let f = YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store)
        #expect(Set(f.map(\.file)).count == 2)      // the IIS log and the HttpProxy PowerShell log
        let iis = try #require(f.first { $0.file.hasSuffix("u_ex210812.log") })
        #expect(iis.line == 7)
        #expect(store.rawLine(iis.events[0]).contains("X-Rps-CAT="))
    }

    /// `--raw` on an EVTX file scans the file's own bytes, not the lines rendered from its records: the file
    /// magic is at 0, a UTF-16 string matches as `wide` at its file offset, in the event whose record holds it,
    /// and an ASCII form only the rendered text has does not match.
    @Test func rawScanOfAnEvtxReadsTheFileItself() throws {
        guard let store = try RuleFixtures.evtxStore("lsass-dump-comsvcs-minidump-sysmon.evtx") else { return }
        let dir = try Self.folder(["evtx.yar": """
            rule magic { strings: $m = "ElfFile" condition: $m at 0 }
            rule wide_dll { strings: $w = "comsvcs.dll" wide nocase condition: $w }
            rule ascii_dll { strings: $a = "comsvcs" nocase ascii condition: $a }
            """])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/evtx.yar"]).ruleSet)
        let f = YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store)
        #expect(Set(f.map(\.rule)) == ["yara:magic", "yara:wide_dll"], "\(f.map(\.summary))")
        let wide = try #require(f.first { $0.rule == "yara:wide_dll" })
        #expect(wide.summary.contains("at 0x\(String(9819, radix: 16))"), "\(wide.summary)")
        #expect(store.rawLine(wide.events[0]).lowercased().contains("comsvcs.dll"), "the event whose record holds it")
    }

    /// A live log collected twice and loaded as two sets: a match in the lines both copies hold is the earlier
    /// copy's alone; one in the lines only the later copy holds is the later copy's.
    @Test func rawScanLeavesTheStartOfALogCollectedAgainToTheEarlierCopy() throws {
        let log = "EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"
        let head = "#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n#Fields: DateTime,UrlStem,ClientIpAddress\n"
            + "2021-03-03T06:49:01.162Z,/ecp/y.js,203.0.113.77\n"
        let dir = try Self.folder(["ip.yar": "rule c2_address { strings: $a = \"203.0.113.77\" condition: $a }",
                                   "later.yar": "rule later_address { strings: $a = \"198.51.100.9\" condition: $a }",
                                   "day1/" + log: head, "day5/" + log: head + "2021-03-03T06:50:01.162Z,/ecp/z.js,198.51.100.9\n"])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/ip.yar", dir + "/later.yar"]).ruleSet)
        let store = EventStore()
        _ = try EvidenceLoader().load(dir + "/day1", into: store)
        _ = try EvidenceLoader().load(dir + "/day5", into: store)
        #expect(store.files.count == 2 && store.files[1].continuesFrom > 0)
        let f = YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store).sorted { $0.rule < $1.rule }
        #expect(f.map(\.rule) == ["yara:c2_address", "yara:later_address"])
        #expect(f.map { store.file(of: $0.events[0]).evidenceSet } == ["day1", "day5"])
    }

    /// A rule matching more strings than its summary shows cites every event holding a match: the summary's
    /// first matches limited the events cited to theirs (5 of 12 lines here, two matches a line).
    @Test func rawScanCitesEveryEventHoldingAMatch() throws {
        let rows = (0..<12).map { "2021-03-03T06:\(10 + $0):01.162Z,/ecp/y\($0).js,203.0.113.77,203.0.113.77\n" }
        let dir = try Self.folder(["ip.yar": "rule c2_address { strings: $a = \"203.0.113.77\" condition: $a }",
                                   "ev/EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG":
                                    "#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n#Fields: DateTime,UrlStem,ClientIpAddress,ServerHostName\n"
                                    + rows.joined()])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/ip.yar"]).ruleSet)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir + "/ev", into: store)
        let f = try #require(YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store).first)
        #expect(f.events.count == 12, "\(f.events.array)")
        #expect(f.summary.contains("+20 more matches"), "\(f.summary)")
    }

    /// A fleet's JSON export holding one logon each from EXA, EXB and EXC with client `addresses`, loaded (filed per
    /// server) and scanned with --raw for 203.0.113.77.
    static func fleetScan(_ addresses: [String]) throws -> (EventStore, [Finding]) {
        let rows = zip(["EXA", "EXB", "EXC"], addresses).enumerated().map { i, r in
            "{\"EventID\": 4624, \"Channel\": \"Security\", \"Hostname\": \"\(r.0).contoso.local\", "
                + "\"TimeCreated\": \"2021-03-03T07:0\(i):00Z\", \"IpAddress\": \"\(r.1)\"}"
        }
        let dir = try Self.folder(["ip.yar": "rule c2_address { strings: $a = \"203.0.113.77\" condition: $a }",
                                   "fleet/fleet.json": rows.joined(separator: "\n") + "\n"])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/ip.yar"]).ruleSet)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir + "/fleet", into: store)
        return (store, YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store))
    }

    /// A split file's match in the rows of two servers is a finding on each, citing that server's rows.
    @Test func rawScanOfASplitFileFindsOnEachServerHoldingIt() throws {
        let (store, f) = try Self.fleetScan(["203.0.113.77", "203.0.113.77", "10.3.3.3"])
        #expect(f.map(\.server) == ["EXA", "EXB"], "\(f.map(\.summary))")
        #expect(f.allSatisfy { $0.events.count == 1 && store.rawLine($0.events[0]).contains("203.0.113.77") })
    }

    /// A fleet's JSON export filed per server is scanned once with --raw: the match is the row's server's, not
    /// one finding per server the file was split into.
    @Test func rawScanOfASplitFileFindsOnTheRowsServer() throws {
        let (store, f) = try Self.fleetScan(["10.1.1.1", "203.0.113.77", "10.3.3.3"])
        #expect(store.files.count == 3)
        #expect(f.map(\.server) == ["EXB"])
        #expect(f.first.map { store.rawLine($0.events[0]).contains("203.0.113.77") } == true)
    }

    /// `--raw` on a JSON export scans the `Name=Value` lines rendered from its records, as `help rules` says: a
    /// field value matches (a backslash doubled), the export's own keys do not.
    @Test func rawScanOfAJsonExportReadsItsRenderedLines() throws {
        let row = "{\"@timestamp\": \"2021-03-03T07:40:00.000Z\", \"host\": {\"name\": \"EX01\"}, \"winlog\": {\"event_id\": 1, "
            + "\"channel\": \"Microsoft-Windows-Sysmon/Operational\", \"event_data\": {\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}}}\n"
        let dir = try Self.folder(["r.yar": #"""
            rule rendered { strings: $a = "Image=C:\\\\Windows\\\\cmd.exe" condition: $a }
            rule json_key { strings: $a = "\"@timestamp\"" condition: $a }
            """#, "ev/winlogbeat.ndjson": row])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/r.yar"]).ruleSet)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir + "/ev", into: store)
        #expect(YaraScanRule(ruleSet: set, raw: true, fileOfRule: [:]).run(on: store).map(\.rule) == ["yara:rendered"])
    }

    @Test func hashOnlyRulesUseTheDigestsComputedAtLoad() throws {
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(Self.repoRoot.appendingPathComponent("help/training").path, into: store)
        let shell = try #require(store.files.first { $0.path.hasSuffix("supp0rt.aspx") })
        let dir = try Self.folder(["hash.yar": """
            import "hash"
            rule known_shell { condition: hash.sha256(0, filesize) == "\(shell.sha256.uppercased())" }
            rule external_form { condition: sha256 == "\(shell.sha256)" or sha256 == "\(String(repeating: "0", count: 64))" }
            rule not_hash_only { strings: $a = "x" condition: $a or hash.sha256(0, filesize) == "\(shell.sha256)" }
            """])
        let set = try #require(try YaraCompiler.compile(files: [dir + "/hash.yar"]).ruleSet)
        #expect(Set(set.hashOnly.keys) == ["known_shell", "external_form"])
        let f = YaraScanRule(ruleSet: set, raw: false, fileOfRule: [:]).run(on: store)
        #expect(Set(f.map(\.rule)) == ["yara:known_shell", "yara:external_form", "yara:not_hash_only"])
        #expect(f.first { $0.rule == "yara:known_shell" }?.summary.contains("hash-only rule, digest computed at load") == true)
    }

    @Test func hashOnlyConditions() {
        let h = String(repeating: "ab", count: 32)
        #expect(HashOnlyRules.hashOnly("hash.sha256(0, filesize) == \"\(h)\"") == [h])
        #expect(HashOnlyRules.hashOnly("(sha256 == \"\(h)\") or hash.sha256(0,filesize)==\"\(h.uppercased())\"") == [h])
        #expect(HashOnlyRules.hashOnly("sha256 == \"\(h)\" and filesize < 10") == nil)
        #expect(HashOnlyRules.hashOnly("$a") == nil)
    }

    @Test func printableEscapesBinary() {
        #expect(YaraScanRule.printable([0x21, 0x42, 0x00, 0x1b, 0x5b]) == "!B\\x00\\x1b[")
    }
}

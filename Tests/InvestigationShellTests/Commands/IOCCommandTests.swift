import Foundation
import InvestigationShell
import Testing

/// `grep-ioc` and `ioc` driven through the shell on the training set and small indicator files.
@Suite struct IOCCommandTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path
    static let fixtures = TestShell.repoRoot.appendingPathComponent("Tests/ExchangeDetectionTests/Fixtures/IOC").path

    func json(_ text: String) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func trainingSetHitsAreTheAttackerOnly() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        let rows = try json(t.run("grep-ioc --json"))
        let found = Set(rows.map { $0["ioc"] as! String })
        // The attacker's IP and user agents, the SSRF probe, the web shell and the later shell access.
        #expect(found.isSuperset(of: ["167.99.168.251", "python-requests/2.25.1", "ExchangeServicesClient/0.0.0.0",
                                      "antSword/v2.1", "89.34.111.11", "139.162.202.236"]))
        // Nothing benign: the scanner, real browsers, the patched server EX02.
        #expect(!found.contains("198.51.100.23"))
        #expect(rows.allSatisfy { ($0["servers"] as! [String]) == ["EX01"] })
        #expect(rows.allSatisfy { ["ip", "ua", "path", "name", "hash", "domain", "url"].contains($0["type"] as! String) })
        let attacker = try #require(rows.first { $0["ioc"] as? String == "167.99.168.251" })
        #expect(attacker["set"] as? String == "volexity-cisa")
        #expect(attacker["first"] as? String == "2021-03-03T06:49:42.000Z")
    }

    @Test func timeWindowsReadLikeTimelines() throws {
        let t = TestShell()
        try t.run("load \(Self.training) --quiet; set timezone Europe/Amsterdam")
        // 139.162.202.236 came at 03:06:27 UTC, 04:06:27 in Amsterdam.
        let local = try json(t.run("grep-ioc helsecert --from '2021-03-05 04:00' --to '2021-03-05 04:10' --json"))
        #expect(local.map { $0["ioc"] as? String } == ["139.162.202.236"])
        let utc = try json(t.run("grep-ioc helsecert --from 2021-03-05T04:00:00Z --to 2021-03-05T04:10:00Z --json"))
        #expect(utc.isEmpty)
    }

    @Test func hitsAsJSONCarryTheDocumentedKeys() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        let hits = try json(t.run("grep-ioc volexity-cisa --type ua --hits --json"))
        #expect(!hits.isEmpty)
        for h in hits {
            #expect(Set(h.keys) == ["hit", "ioc", "type", "set", "event", "server", "time", "status", "fields", "file", "line", "after_valid_until"])
            #expect(h["type"] as? String == "ua" && h["fields"] as? [String] == ["user_agent"] && h["event"] is Int)
            #expect(h["status"] is String, "a user agent hits requests, each with its status")
        }
        // Per indicator, the statuses of its requests: the training shell was answered (200), never refused.
        let summary = try json(t.run("grep-ioc other-names --type path --json"))
        let shell = try #require(summary.first { $0["ioc"] as? String == "\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx" })
        #expect(shell["statuses"] as? [String: Int] == ["200": 2], "two requests; the listing row and the collected copy are no requests")
        #expect(hits.map { $0["hit"] as? String } == hits.indices.map { "I\($0 + 1)" })
        let show = try t.run("show \(hits[0]["event"] as! Int) --json")
        #expect(show.contains(hits[0]["ioc"] as! String))
    }

    @Test func filtersAndRawMode() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        #expect(try json(t.run("grep-ioc --server EX02 --json")).isEmpty)
        let late = try json(t.run("grep-ioc --from 2021-03-04 --json"))
        #expect(late.map { $0["ioc"] as! String }.contains("139.162.202.236"))
        #expect(!late.map { $0["ioc"] as! String }.contains("python-requests/2.25.1"))
        let early = try json(t.run("grep-ioc --to 2021-02-28 --json"))
        #expect(Set(early.map { $0["ioc"] as! String }) == ["89.34.111.11", "ExchangeServicesClient/0.0.0.0"])
        // Raw bytes reach text no reader models: the staging archive named in the exported event logs.
        let raw = try json(t.run("grep-ioc other-names --raw --hits --json"))
        #expect(raw.contains { $0["ioc"] as? String == #"C:\ProgramData\it.zip"# && $0["fields"] as? [String] == ["raw"] && $0["line"] is Int })
        #expect(t.failure("grep-ioc nosuchset").contains("no indicator set 'nosuchset'"))
        #expect(t.failure("grep-ioc --type ipv9").contains("unknown type 'ipv9'"))
        #expect(t.failure("grep-ioc --from yesterday").contains("cannot read the time 'yesterday'"))
    }

    @Test func summaryTableEscapesAndNamesTheSets() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        let out = try t.run("grep-ioc volexity-cisa")
        #expect(out.hasPrefix("ioc "))
        #expect(out.contains("167.99.168.251") && out.contains("volexity-cisa"))
        #expect(t.output.stderr.contains("hits (indicator and event) of 29 indicators (volexity-cisa)"))
        #expect(out.contains(" events "))
    }

    /// The web shell's path matches a listing row under `FullName` and as its URL stem, and the collected copy
    /// under `Path` and as its URL: each event is one hit naming both fields, and the summary counts events.
    @Test func anEventMatchingInTwoFieldsIsOneHit() throws {
        let t = TestShell()
        try t.run("load \(Self.training) --quiet")
        let shell = #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#
        let hits = try json(t.run("grep-ioc --hits --json")).filter { $0["ioc"] as? String == shell }
        let events = hits.compactMap { $0["event"] as? Int }
        #expect(events.count == hits.count && Set(events).count == events.count, "one hit per event: \(hits)")
        #expect(hits.contains { $0["fields"] as? [String] == ["FullName", "url_stem"] }, "\(hits)")
        #expect(hits.contains { $0["fields"] as? [String] == ["Path", "url_stem"] }, "\(hits)")
        let row = try #require(try json(t.run("grep-ioc --json")).first { $0["ioc"] as? String == shell })
        #expect(row["events"] as? Int == events.count)
        #expect(row["hits"] == nil)
    }

    @Test func iocSetsLoadAddShow() throws {
        let t = TestShell()
        let sets = try json(t.run("ioc sets --json"))
        #expect(sets.map { $0["set"] as! String } == ["mstic-feed", "mstic-blog", "volexity-cisa", "mandiant-eset", "other-names", "helsecert"])
        #expect(sets.allSatisfy { $0["builtin"] as? Bool == true && !($0["provenance"] as! String).isEmpty })

        let before = t.output.stdout.count
        let loaded = try t.shown("ioc load \(Self.fixtures)/stix-proxylogon.json --name cisa-stix")
        #expect(t.output.stdout.count == before, "in a pipe, stdout keeps only results: the load line and its problems go to stderr")
        #expect(loaded.hasPrefix("loaded 9 indicators into set cisa-stix from "))
        // One indicator is one (reviewer: "loaded 1 indicators").
        let one = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-one-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: one) }
        try "203.0.113.77\n".write(to: one, atomically: true, encoding: .utf8)
        #expect(try TestShell().shown("ioc load \(one.path) --name one").hasPrefix("loaded 1 indicator into set one from "))
        // A value given twice is kept once, and said (reviewer: merged without a word).
        try "203.0.113.77\n198.51.100.1\n203.0.113[.]77\n".write(to: one, atomically: true, encoding: .utf8)
        let twice = try TestShell().shown("ioc load \(one.path) --name twice")
        #expect(twice.contains("loaded 2 indicators into set twice") && twice.contains("\n1 repeated value kept once (first: ip 203.0.113.77 at lines 1 and 3)"))
        let twiceJSON = try #require(JSONSerialization.jsonObject(with: Data(TestShell().run("ioc load \(one.path) --name twice --json").utf8)) as? [String: Any])
        #expect(twiceJSON["repeated"] as? Int == 1 && twiceJSON["indicators"] as? Int == 2)
        #expect(loaded.contains("stix-proxylogon.json:48: indicator--5a1e6c3d-0001-4000-8000-000000000006: unsupported comparison process:name = 'procdump64.exe'"))
        let bad = try #require(JSONSerialization.jsonObject(with: Data(t.run("ioc load \(Self.fixtures)/plain-list.txt --json").utf8)) as? [String: Any])
        #expect(bad["set"] as? String == "plain-list" && bad["format"] as? String == "plain list" && bad["problem_count"] as? Int == 3)
        #expect(t.failure("ioc load \(Self.fixtures)/plain-list.txt --name mstic-feed").contains("cannot be replaced"))

        try t.run("ioc add ip 203.0.113[.]99 --note \"seen in the firewall\"")
        try t.run("ioc add ua \"Mozilla/5.0 (evil)\"")
        #expect(t.failure("ioc add hash abc123").contains("unknown hash length 6"))
        #expect(t.failure("ioc add colour red").contains("unknown type 'colour'"))
        let analyst = try json(t.run("ioc show analyst --json"))
        #expect(analyst.map { $0["value"] as! String } == ["203.0.113.99", "Mozilla/5.0 (evil)"])
        #expect(analyst[0]["note"] as? String == "seen in the firewall" && analyst[0]["source"] as? String == "analyst")
        let listed = try json(t.run("ioc sets --json")).map { $0["set"] as! String }
        #expect(listed.suffix(3) == ["cisa-stix", "plain-list", "analyst"])

        let blog = try t.run("ioc show mstic-blog")
        #expect(blog.contains("path (folder)") && blog.contains("listed, not matched"))
    }

    /// A file that gives no indicator fails with its problems and leaves the sets as they were.
    @Test func iocLoadOfAFileWithNoIndicatorFailsAndCreatesNoSet() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-ioc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data([0x45, 0x6C, 0x66, 0x46, 0x69, 0x6C, 0x65, 0x00, 0x03, 0x00, 0x00, 0x00, 0xFF, 0xFE] + [UInt8](repeating: 0, count: 64))
            .write(to: dir.appendingPathComponent("security.evtx"))
        let stix = try String(contentsOfFile: "\(Self.fixtures)/stix-proxylogon.json", encoding: .utf8)
        try String(stix.prefix(700)).write(to: dir.appendingPathComponent("cut.json"), atomically: true, encoding: .utf8)
        try "# only comments\n".write(to: dir.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        let before = try json(t.run("ioc sets --json")).map { $0["set"] as! String }

        #expect(t.failure("ioc load \(dir.path)/security.evtx") == "ioc load: no indicators in \(dir.path)/security.evtx (plain list), "
                + "no set created: security.evtx: binary data, not an indicator file")
        let cut = t.failure("ioc load \(dir.path)/cut.json")
        // Cut short, the file is named at its end, where the parser stopped (reviewer: line 1).
        let end = String(stix.prefix(700)).split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(cut.hasPrefix("ioc load: no indicators in \(dir.path)/cut.json (STIX 2.1), no set created: cut.json:\(end): malformed STIX bundle"), "\(cut)")
        #expect(cut.contains("; cut.json:\(end): STIX object starting on line 13: malformed JSON"), "\(cut)")
        #expect(t.failure("ioc load \(dir.path)/empty.txt").hasSuffix("no set created: nothing in it is an indicator"))
        #expect(try json(t.run("ioc sets --json")).map { $0["set"] as! String } == before)

        // Loading a bad file under the name of a good set leaves the good one in place.
        try t.run("ioc load \(Self.fixtures)/stix-proxylogon.json --name cisa")
        #expect(!t.failure("ioc load \(dir.path)/cut.json --name cisa").isEmpty)
        #expect(try json(t.run("ioc show cisa --json")).count == 9)
    }

    @Test func exportPatternsForRipgrep() throws {
        let t = TestShell()
        let lines = try t.run("ioc export-patterns").split(separator: "\n").map(String.init)
        #expect(lines.contains("103.77.192.219"))
        #expect(lines.contains("b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"))
        #expect(!lines.contains { $0.hasSuffix("\\") })  // folders are not exported
        let one = try t.run("ioc export-patterns helsecert")
        #expect(one == "130.255.189.21\n139.162.202.236\n67.205.176.9\n")
        // A CIDR block is no fixed string: left out and counted.
        try t.run("ioc add ip 198.51.100.0/24")
        #expect(try t.shown("ioc export-patterns analyst") == "1 CIDR block left out: a fixed-string search cannot match it\n")
    }

    /// An analyst's CIDR block finds the training attacker's address (167.99.168.251) and nothing on EX02;
    /// a block too wide is refused with the reason.
    @Test func cidrBlockFromTheShell() throws {
        let t = TestShell()
        try t.run("load demo")
        try t.run("ioc add ip 167.99.0.0/16 --note 'VPS range'")
        let rows = try JSONSerialization.jsonObject(with: Data(try t.run("grep-ioc analyst --json").utf8)) as! [[String: Any]]
        #expect(rows.count == 1)
        #expect(rows.first?["ioc"] as? String == "167.99.0.0/16")
        #expect(rows.first?["servers"] as? [String] == ["EX01"])
        #expect((rows.first?["events"] as? Int ?? 0) > 0)
        #expect(t.failure("ioc add ip 10.0.0.0/4").contains("wider than /8"))
        #expect(t.failure("ioc add ip 10.0.0.0/40").contains("not an IPv4 address or CIDR block"))
    }

    /// An indicator whose source says it stopped being valid before the event is still matched (the hunt is
    /// retrospective) but said: the address may have changed hands. Publication after the event is normal.
    @Test func hitsAfterValidUntilAreSaid() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-valid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func bundle(_ from: String, _ until: String) -> String {
            #"{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--v","#
                + #""pattern_type":"stix","pattern":"[ipv4-addr:value = '167.99.168.251']","valid_from":"\#(from)","valid_until":"\#(until)"}]}"#
        }
        try bundle("2018-06-01T00:00:00Z", "2019-02-01T00:00:00Z").write(to: dir.appendingPathComponent("old.json"), atomically: true, encoding: .utf8)
        try bundle("2021-03-08T00:00:00Z", "2022-01-01T00:00:00Z").write(to: dir.appendingPathComponent("live.json"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load demo --quiet; ioc load \(dir.path)/old.json; ioc load \(dir.path)/live.json")
        #expect(try t.shown("grep-ioc old").contains("note: 1 indicator has hits after the valid_until its source gives"))
        #expect(try !t.shown("grep-ioc live").contains("valid_until"))
        let hits = try JSONSerialization.jsonObject(with: Data(try t.run("grep-ioc old --hits --json").utf8)) as! [[String: Any]]
        #expect(!hits.isEmpty && hits.allSatisfy { $0["after_valid_until"] as? Bool == true })
    }

    /// A file read as text lines (a log format no reader knows) is searched by --raw only: a plain grep-ioc says so
    /// instead of a bare "no hits" (reviewer).
    @Test func textFilesAreNamedAsSearchedByRawOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-text-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "analyst notes\nseen 165.232.154.116 probing at 06:49\n"
            .write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(dir.path)")
        #expect(try t.run("grep-ioc") == "no hits\n")
        #expect(t.output.stderr.contains("note: 1 text file (notes.txt) is lines with no fields: only 'grep-ioc --raw' searches it"))
        #expect(try t.run("grep-ioc --raw").contains("165.232.154.116"))
    }
}

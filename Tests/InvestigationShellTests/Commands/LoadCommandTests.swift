import Foundation
@testable import ExchangeEvidence
@testable import InvestigationShell
import TestSupport
import Testing

/// `load` as the user sees it: what it says about evidence it could not tie to a server.
@Suite struct LoadCommandTests {
    /// A file that names no server in its path, its name or its lines is filed under `unknown`, with every other
    /// such file: the load says so (text and `--json`), and `--server` silences it by naming the server.
    @Test func evidenceWithoutAServerNameIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-unnamed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("u_ex210303.log")
        try ("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
             + "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
             + "2021-03-03 06:49:40 10.0.0.11 POST /ecp/y.js - 443 - 130.255.189.21 python-requests/2.25.1 - 200 0 0 211\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let t = TestShell()
        let shown = try t.shown("load '\(file.path)'")
        #expect(shown.contains("from unknown") && shown.contains("warning: no server name"), "\(shown)")
        let j = TestShell()
        let json = try JSONSerialization.jsonObject(with: Data(try j.run("load '\(file.path)' --json").utf8)) as! [String: Any]
        #expect((json["warning"] as? String)?.contains("server 'unknown'") == true)
        // The lines for people stay, on stderr, as `help scripting` says (reviewer: --json dropped them).
        #expect(j.output.stderr.contains("loaded ") && j.output.stderr.contains("warning: no server name"), "\(j.output.stderr)")
        #expect(try !TestShell().shown("load '\(file.path)' --server EX07").contains("warning"))
        // Forcing one name on a set of several servers is said (reviewer: two folders merged without a word).
        #expect(try TestShell().shown("load demo --server X").contains("warning: --server X files the evidence of EX01, EX02 under one server"))
        // A server's own folder with its `build/` beside `C/` is one server, not BUILD and EX02.
        let ex02 = TestShell.repoRoot.appendingPathComponent("help/training/EX02").path
        #expect(try !TestShell().shown("load '\(ex02)' --server EX02").contains("warning"))
        // The same log inside a server's tree is that server's, said in a note (reviewer: `unknown`, then two servers).
        let tree = dir.appendingPathComponent("EX07/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: file, to: tree.appendingPathComponent("u_ex210303.log"))
        let inTree = try TestShell().shown("load '\(tree.path)/u_ex210303.log'")
        #expect(inTree.contains("from EX07") && !inTree.contains("warning")
                && inTree.contains("note: filed under EX07, the server folder above the loaded path (EX07/inetpub/logs/LogFiles/W3SVC1), "
                                   + "as when that folder is loaded; --server NAME files it elsewhere"), "\(inTree)")
        let inTreeJSON = try JSONSerialization.jsonObject(with: Data(try TestShell().run("load '\(tree.path)/u_ex210303.log' --json").utf8)) as! [String: Any]
        #expect(inTreeJSON["inside_folder"] as? String == "EX07/inetpub/logs/LogFiles/W3SVC1" && json["inside_folder"] is NSNull)
    }

    /// Exports written into a collection's folder, then the folder zipped: neither the zip nor the folder loads
    /// them (reviewer: the zip loaded the timeline, events and Test-ProxyLogon files as evidence, and an untimed
    /// download path became a HIGH finding).
    /// `load --quiet` prints the summary `load` prints: a set loaded before is "nothing new", not "0 files, 0 events
    /// from " with no server (reviewer).
    @Test func aQuietLoadOfASetLoadedBeforeSaysNothingIsNew() throws {
        let t = TestShell()
        let path = HuntCommandTests.fixtures.appendingPathComponent("proxylogon").path
        let first = try t.shown("load '\(path)' --quiet")
        #expect(first.hasPrefix("loaded proxylogon: ") && first.contains(" MiB from EX01"), "\(first)")
        let again = try t.shown("load '\(path)' --quiet")
        #expect(again.hasPrefix("nothing new in proxylogon: ") && again.hasSuffix("already loaded, skipped\n"), "\(again)")
    }

    @Test func exportsInsideACollectionAreNotEvidenceInItsZipEither() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-exports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let coll = dir.appendingPathComponent("coll")
        try FileManager.default.copyItem(at: HuntCommandTests.fixtures.appendingPathComponent("proxylogon"), to: coll)
        // An exporter whose session holds another copy writes into this one, as an analyst's earlier run did.
        let exporter = TestShell()
        try exporter.run("load '\(HuntCommandTests.fixtures.appendingPathComponent("proxylogon").path)' --quiet")
        let events = exporter.session.store.count
        try exporter.run("export proxylogon '\(coll.path)/EX01/pl'; export timeline '\(coll.path)/EX01/t.jsonl'")
        let zipped = try Subprocess.run("python3", ["-c", "import shutil,sys; shutil.make_archive(sys.argv[1], 'zip', sys.argv[2], 'coll')",
                                                    coll.path, dir.path])
        #expect(zipped.status == 0, "\(zipped.stderr)")
        for path in [coll.path, coll.path + ".zip"] {
            let shell = TestShell()
            let shown = try shell.shown("load '\(path)'")
            #expect(shell.session.store.count == events, "\(path): \(shown)")
            #expect(shown.contains("Test-ProxyLogon's files as exhunt's export proxylogon wrote them") && shown.contains("t.jsonl: an exhunt export"))
            #expect(!shell.session.store.files.map(\.server).contains("coll"))
        }
    }

    /// Why a file is not evidence names the file, whose name is the evidence's: escaped like its path.
    @Test func notEvidenceNamesAreEscaped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-own-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("set/EX01")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "a,b\n".write(to: folder.appendingPathComponent("t\u{1b}[31m.csv"), atomically: true, encoding: .utf8)
        try "{\"exhunt\": {}}\n".write(to: folder.appendingPathComponent("t\u{1b}[31m.csv.provenance.json"), atomically: true, encoding: .utf8)
        try "x\n".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let shown = try TestShell().shown("load '\(dir.appendingPathComponent("set").path)'")
        #expect(shown.contains("(its provenance file t\\x1b[31m.csv.provenance.json is beside it)") && !shown.contains("\u{1b}"), "\(shown)")
    }

    /// A live log collected twice and loaded as two sets: `load` says the later copy continues the earlier one, and
    /// an indicator in the lines both hold is reported once (`--raw` scans included), where the earlier copy has it.
    @Test func aLogCollectedAgainIsCountedOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-again-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = "EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"
        let head = "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n"
            + "#Fields: DateTime,ServerHostName,UrlStem,ClientIpAddress,UserAgent,HttpStatus\r\n"
            + "2021-03-03T06:49:01.162Z,EX01,/ecp/y.js,167.99.168.251,python-requests/2.25.1,200\r\n"
        for (set, text) in [("day1", head), ("day5", head + "2021-03-03T06:49:09.162Z,EX01,/owa/,10.0.0.1,Outlook,200\r\n")] {
            let url = dir.appendingPathComponent(set).appendingPathComponent(log)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("day1").path)'")
        let shown = try t.shown("load '\(dir.appendingPathComponent("day5").path)'")
        #expect(shown.contains("loaded day5: 1 file, 1 event"), "\(shown)")
        // Both copies cited with their sets' names, as `show` takes them (reviewer: the new one had none).
        #expect(shown.contains("note: day5/\(log) continues day1/\(log), the same log collected again: the 1 event both copies hold is counted once"))
        #expect(try t.run("sources --files").contains("continues"))
        let files = try JSONSerialization.jsonObject(with: Data(try t.run("sources --files --json").utf8)) as! [[String: Any]]
        #expect(files.map { $0["continues"] as? String } == [nil, "day1/" + log])
        for command in ["grep-ioc --json", "grep-ioc --raw --json"] {
            let rows = try JSONSerialization.jsonObject(with: Data(try t.run(command).utf8)) as! [[String: Any]]
            let ip = rows.first { $0["ioc"] as? String == "167.99.168.251" }
            #expect(ip?["events"] as? Int == 1, "\(command): \(rows)")
        }
        // A line of the shared start, named through the later copy, is the earlier copy's event (reviewer: 'no event').
        let shared = try t.run("show day5/\(log):4 --json")
        #expect(shared.contains("167.99.168.251") && shared.contains("day1"), "\(shared)")
        try t.run("case new '\(dir.appendingPathComponent("c.case").path)'; mark day5/\(log):4 as malicious")
        let marked = try JSONSerialization.jsonObject(with: Data(try t.run("marks --json").utf8)) as! [[String: Any]]
        #expect(marked.count == 1 && marked[0]["line"] as? Int == 4 && marked[0]["sha256"] as? String == t.session.store.files[0].sha256)
    }

    /// An event log collected again: a line of the later copy whose record the earlier copy holds is that copy's event,
    /// for `show` and `mark` alike (review of stop 34: 'no event at line 3').
    @Test func aSharedRecordOfAnEventLogCollectedAgainIsTheEarlierEvent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-recollected-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (folder, records) in [("a", 1...3), ("b", 2...5)] {
            let d = dir.appendingPathComponent("ev/\(folder)/EX01")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            let xml = records.map { n in
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
                    + "<EventID>4624</EventID><TimeCreated SystemTime='2021-03-03T07:1\(n):00.000Z'/><EventRecordID>\(n)</EventRecordID>"
                    + "<Channel>Security</Channel><Computer>EX01.contoso.local</Computer></System>"
                    + "<EventData><Data Name='IpAddress'>10.0.0.\(n)</Data></EventData></Event>\n"
            }.joined()
            try xml.write(to: d.appendingPathComponent("Security.xml"), atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)' --quiet")
        #expect(t.session.store.count == 5)
        // b's line 2 is record 3, held by a's line 3.
        #expect(try t.run("show b/EX01/Security.xml:2") == t.run("show a/EX01/Security.xml:3"))
        #expect(try t.run("show b/EX01/Security.xml:2").contains("10.0.0.3"))
        #expect(try t.run("show b/EX01/Security.xml:3").contains("10.0.0.4"), "a record only b holds is b's own")
        try t.run("case new '\(dir.appendingPathComponent("c.case").path)'; mark b/EX01/Security.xml:1 as suspicious")
        let marked = try JSONSerialization.jsonObject(with: Data(try t.run("marks --json").utf8)) as! [[String: Any]]
        #expect(marked.count == 1 && marked[0]["line"] as? Int == 2 && marked[0]["file"] as? String == "a/EX01/Security.xml", "\(marked)")
    }

    /// A log whose lines name another computer than its folder is filed by the folder, with a warning and a problem
    /// on the file (review of stop 35: the same files gave one server or six, silently); its own computer's
    /// folder is no warning.
    @Test func aLogNamingAnotherComputerThanItsFolderIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-othercomputer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (folder, computer) in [("EX03", "FS03.offsec.lan"), ("EX04", "ex04.contoso.local")] {
            let d = dir.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
                 + "<EventID>4624</EventID><TimeCreated SystemTime='2021-03-03T07:10:00.000Z'/><EventRecordID>1</EventRecordID>"
                 + "<Channel>Security</Channel><Computer>\(computer)</Computer></System><EventData><Data Name='IpAddress'>10.0.0.1</Data></EventData></Event>\n")
                .write(to: d.appendingPathComponent("Security.xml"), atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        let shown = try t.shown("load '\(dir.path)'")
        #expect(shown.contains("warning: 1 log is filed under the server its folder names, although its lines name another computer (FS03; "
                               + "e.g. EX03/Security.xml under EX03)"), "\(shown)")
        #expect(Set(t.session.store.files.map(\.server)) == ["EX03", "EX04"])
        #expect(try t.run("sources --problems").contains("its lines name the computer FS03, not EX03"))
        // The report says it in the server's verdict, with the findings resting on it (reviewer).
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-othercomputer-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: out) }
        try t.run("report '\(out.path)'")
        let md = try String(contentsOf: out, encoding: .utf8)
        #expect(md.contains("1 log was filed here by its folder although its lines name another computer (EX03/Security.xml (FS03)): "
                            + "what it holds may be another machine's; no finding rests on it"), "\(md)")
        #expect(!md.contains("EX04/Security.xml (ex04"))
    }

    /// A copy that holds nothing the earlier one lacks says so, rather than "the rest are new" (review of stop 34).
    @Test func aCopyAddingNothingSaysSo() {
        var report = LoadReport(evidenceSet: "ev", root: "/ev")
        report.continued = [("b/Security.evtx", "a/Security.evtx", 10, 0)]
        #expect(LoadCommand.continued(report)?.hasSuffix("counted once, in the earlier copy; it adds nothing new") == true)
        report.continued.append(("c/Security.evtx", "a/Security.evtx", 4, 2))
        #expect(LoadCommand.continued(report)?.hasSuffix("; the rest are new") == true)
    }

    /// `--local-time` takes an IANA zone and shows in `sources --files`; a name that is no zone is refused.
    @Test func localTimeTakesAZoneAndShowsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ("#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord\n\"TimeCreated\",\"MachineName\",\"Message\"\n"
             + "\"3/3/2021 7:55:02 AM\",\"EXUS.contoso.local\",\"An unhandled exception occurred in a UM worker process\"\n")
            .write(to: dir.appendingPathComponent("EXUS-Cve-2021-26857.csv"), atomically: true, encoding: .utf8)
        #expect(TestShell().failure("load '\(dir.path)' --local-time Mars/Base").contains("IANA zone"))
        let t = TestShell()
        try t.run("load '\(dir.path)' --local-time America/New_York")
        #expect(try t.run("sources --files").contains("America/New_York"))
        #expect(try t.run("timeline --json").contains("2021-03-03T12:55:02.000Z"))
    }

    /// `--date-order day-first` reads an en-GB file whose dates do not settle it (no day above 12) day first, with
    /// no "cannot be told" problem; without it the file is read month first and says so.
    @Test func dateOrderDecidesWhatTheFileCannot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ("#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord\n\"TimeCreated\",\"MachineName\",\"Message\"\n"
             + "\"04/03/2021 07:55:02\",\"EXGB.contoso.local\",\"An unhandled exception occurred in a UM worker process\"\n")
            .write(to: dir.appendingPathComponent("EXGB-Cve-2021-26857.csv"), atomically: true, encoding: .utf8)
        let guessed = TestShell()
        try guessed.run("load '\(dir.path)' --local-time UTC")
        #expect(try guessed.run("timeline --json").contains("2021-04-03T07:55:02.000Z"))
        #expect(try guessed.run("sources --problems").contains("day and month order cannot be told"))
        let given = TestShell()
        try given.run("load '\(dir.path)' --local-time UTC --date-order day-first")
        #expect(try given.run("timeline --json").contains("2021-03-04T07:55:02.000Z"))
        #expect(try !given.run("sources --problems").contains("date"))
        #expect(TestShell().failure("load '\(dir.path)' --date-order ymd").contains("day-first"))
    }

    /// An export loaded back: the provenance files exhunt wrote beside it are named and left out, and so is an
    /// export with its provenance file beside it (written into a collection's folder, it would double its events;
    /// reviewer), unless named to `load`; Test-ProxyLogon's files load as the script's, and a file that only shares a
    /// name is evidence.
    @Test func exhuntsOwnProvenanceFilesAreNotEvidence() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-reload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("tplout")
        let exporter = TestShell()
        try exporter.run("load demo --quiet; export proxylogon '\(out.path)'; export timeline '\(out.path)/t.jsonl'")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("other"), withIntermediateDirectories: true)
        try "a log line that merely shares the name\n".write(to: out.appendingPathComponent("other/exhunt-provenance.json"), atomically: true, encoding: .utf8)
        let exported = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { !$0.hasSuffix("other") }.count

        let t = TestShell()
        let shown = try t.shown("load '\(out.path)'")
        #expect(shown.contains("  not evidence: exhunt-provenance.json: exhunt's own provenance file, written by an export; not loaded"), "\(shown)")
        #expect(shown.contains("  not evidence: t.jsonl.provenance.json:"))
        #expect(shown.contains("  not evidence: t.jsonl: an exhunt export (its provenance file t.jsonl.provenance.json is beside it); not loaded"))
        let paths = t.session.store.files.map(\.path)
        #expect(!paths.contains("exhunt-provenance.json") && !paths.contains("t.jsonl.provenance.json") && !paths.contains("t.jsonl"))
        #expect(paths.contains("other/exhunt-provenance.json") && paths.contains("EX01-Cve-2021-26855.csv"))

        let json = try JSONSerialization.jsonObject(with: Data(try TestShell().run("load '\(out.path)' --json").utf8)) as! [String: Any]
        #expect((json["own_files"] as? [[String: String]])?.map { $0["path"] } == ["exhunt-provenance.json", "t.jsonl", "t.jsonl.provenance.json"])
        #expect(json["files"] as? Int == exported - 3, "every other file loads")
        #expect(TestShell().failure("load '\(out.path)/t.jsonl.provenance.json'").contains("not evidence: t.jsonl.provenance.json (exhunt's own provenance file, written by an export)"))
        #expect(try TestShell().shown("load '\(out.path)/t.jsonl'").contains("loaded t.jsonl: 1 file"), "an export named to load is read")
        // A folder of the export and its provenance file alone is read too (reviewer: it was refused).
        let alone = dir.appendingPathComponent("tsk")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        for name in ["t.jsonl", "t.jsonl.provenance.json"] {
            try FileManager.default.copyItem(at: out.appendingPathComponent(name), to: alone.appendingPathComponent(name))
        }
        let folder = try TestShell().shown("load '\(alone.path)'")
        #expect(folder.contains("loaded tsk: 1 file") && folder.contains("not evidence: t.jsonl.provenance.json"), "\(folder)")
    }

    /// A case file and a recording kept in the folder being loaded (the analyst worked there before loading it)
    /// are exhunt's, not evidence: named and left out, whatever their names; nothing new can be written there.
    @Test func casesAndRecordingsInTheFolderAreNotEvidence() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-own-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("EX01"), withIntermediateDirectories: true)
        try "2021-03-03 06:49:42 10.0.0.5 GET /owa/ - 443 - 1.2.3.4 Mozilla/5.0 - 200 0 0 5\n"
            .write(to: dir.appendingPathComponent("EX01/u_ex210303.log"), atomically: true, encoding: .utf8)
        let writer = TestShell()
        try writer.run("case new '\(dir.path)/notes.db'; note first look; record start '\(dir.path)/steps.txt'; info; record stop; case close")
        let t = TestShell()
        let shown = try t.shown("load '\(dir.path)'")
        #expect(shown.contains("not evidence: notes.db: an exhunt case file (marks, notes, audit log); not loaded"), "\(shown)")
        #expect(shown.contains("not evidence: steps.txt: an exhunt command file written by 'record'; not loaded"))
        #expect(t.session.store.files.map(\.path) == ["EX01/u_ex210303.log"])
        // With the folder loaded, nothing exhunt writes may go into it.
        #expect(t.failure("case new '\(dir.path)/EX01/c.case'").contains("is inside the evidence set"))
        #expect(t.failure("case open '\(dir.path)/notes.db'").contains("is inside the evidence set"))
        #expect(t.failure("record start '\(dir.path)/r.txt'").contains("is inside the evidence set"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("EX01/c.case").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.txt").path))
        // A symbolic link is no way around it: one to the evidence folder, or one inside the output path.
        let link = dir.path + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.appendingPathComponent("EX01").path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        #expect(t.failure("report '\(link)/r.md'").contains("is inside the evidence set"))
        #expect(t.failure("export timeline '\(link)/t.csv'").contains("is inside the evidence set"))
        let viaLink = TestShell()
        try viaLink.run("load '\(link)' --quiet")
        #expect(viaLink.failure("report '\(dir.path)/EX01/r.md'").contains("is inside the evidence set"))
    }

    /// A symbolic link planted where an export writes its bytes (`FILE.partial`) is replaced, never written through.
    @Test func anExportNeverWritesThroughALinkAtItsPartialFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-link-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let victim = dir.appendingPathComponent("victim.txt").path
        try "keep".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("out.csv.partial").path, withDestinationPath: victim)
        let t = TestShell()
        try t.run("load demo --quiet; export timeline '\(dir.path)/out.csv'")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("out.csv").path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
    }

    /// A case file's header: SQLite with exhunt's application id, and nothing else.
    @Test func caseFilesAreKnownByTheirApplicationID() {
        var head = Array("SQLite format 3\u{0}".utf8) + [UInt8](repeating: 0, count: 56)
        head.replaceSubrange(68..<72, with: [0x45, 0x58, 0x48, 0x43])
        #expect(head.withUnsafeBytes(ExhuntFiles.isCase))
        head[71] = 0x44
        #expect(!head.withUnsafeBytes(ExhuntFiles.isCase))
    }

    /// The first key of `Provenance`'s JSON tells exhunt's file from another with the same name.
    @Test func provenanceIsKnownByItsFirstKey() {
        #expect(ExhuntFiles.startsWithExhuntKey(Array("{\n  \"exhunt\": \"0.1.0\",".utf8)))
        #expect(!ExhuntFiles.startsWithExhuntKey(Array("{\"rules\": {}, \"exhunt\": \"0.1.0\"}".utf8)))
        #expect(!ExhuntFiles.startsWithExhuntKey(Array("exhunt".utf8)))
    }
}

/// A set loaded in two parts (an interrupted load run again, or files added since) is one set (reviewer:
/// `info` said "evidence sets: big, big").
@Suite struct LoadAgainTests {
    @Test func aSetLoadedInTwoPartsIsNamedOnce() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("big/EX01/W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let header = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
        try (header + "2021-03-03 01:00:00 10.0.0.1 GET /owa/ - 443 - 10.1.1.1 - - 200 0 0 1\n")
            .write(to: logs.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("big").path)'")
        try (header + "2021-03-04 01:00:00 10.0.0.1 GET /owa/ - 443 - 10.1.1.1 - - 200 0 0 1\n")
            .write(to: logs.appendingPathComponent("u_ex210304.log"), atomically: true, encoding: .utf8)
        try t.run("load '\(dir.appendingPathComponent("big").path)'")
        #expect(t.session.loads.count == 2)
        #expect(try t.run("info").contains("evidence sets: big\n"))
    }
}

/// Times read by a guess are said when loading (reviewer: a listing's day-first dates, read month-first, put an
/// LSASS dump two months off in the findings and the report, said only in `sources --problems`).
@Suite struct GuessedTimesWarningTests {
    @Test func ambiguousDayMonthAndZonelessTimesAreSaid() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let listing = dir.appendingPathComponent("ev/EX41/files.csv")
        try FileManager.default.createDirectory(at: listing.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "\"FullName\",\"Length\",\"LastWriteTime\"\r\n\"C:\\Windows\\Temp\\lsass.dmp\",\"48211968\",\"05/03/2021 04:10:06\"\r\n"
            .write(to: listing, atomically: true, encoding: .utf8)
        let t = TestShell()
        let shown = try t.shown("load '\(dir.appendingPathComponent("ev").path)'")
        #expect(shown.contains("warning: times are a guess: the day/month order of 1 file is not told by its dates (EX41/files.csv): read month/day; "
                               + "--date-order day-first if exported with a day-first culture; 1 file writes local times with no zone (EX41/files.csv): "
                               + "read as UTC; --local-time ZONE gives the zone"), "\(shown)")
        // Near miss: the order given and the zone given leave nothing guessed.
        let sure = try TestShell().shown("load '\(dir.appendingPathComponent("ev").path)' --date-order day-first --local-time Europe/London")
        #expect(!sure.contains("times are a guess"), "\(sure)")
    }
}

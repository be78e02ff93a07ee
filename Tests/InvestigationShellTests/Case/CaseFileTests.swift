import ExchangeEvidence
import Foundation
import GRDB
import InvestigationShell
import Testing

/// The case file: marks survive reopening in any order, refused files are left unchanged, and two shells share one file.
@Suite struct CaseFileTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func marks(_ t: TestShell) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(try t.run("marks --json").utf8)) as! [[String: Any]]
    }

    @Test func marksComeBackWhicheverIsLoadedFirst() throws {
        let path = try Self.folder().appendingPathComponent("a.case").path
        let first = TestShell()
        try first.run("load \(Self.training); case new \(path)")
        try first.run("mark 398 2049 as malicious --note 'chain' --tag proxylogon --tag webshell")
        try first.run("mark 2 as suspicious")
        try first.run("note the SSRF came from 167.99.168.251")

        let caseFirst = TestShell()
        try caseFirst.run("case open \(path)")
        #expect(try Self.marks(caseFirst).allSatisfy { $0["event"] is NSNull })   // known, but not loaded yet
        try caseFirst.run("load \(Self.training)")
        let loadFirst = TestShell()
        try loadFirst.run("load \(Self.training); case open \(path)")
        for t in [caseFirst, loadFirst] {
            let marks = try Self.marks(t)
            #expect(marks.map { $0["event"] as? Int } == [398, 2, 2049])     // event time order
            #expect(marks[0]["label"] as? String == "malicious" && marks[0]["note"] as? String == "chain")
            #expect(marks[0]["tags"] as? [String] == ["proxylogon", "webshell"])
            #expect(marks[0]["user"] as? String != nil && marks[0]["marked_at"] as? String != nil)
            #expect((marks[0]["sha256"] as? String)?.count == 64)
            #expect(try t.run("timeline --marked --json").split(separator: "\n").count == 3)
        }
        #expect(try loadFirst.run("note").contains("the SSRF came from 167.99.168.251"))
        // Re-marking changes the label and keeps the note (lowering it takes --force); unmark removes.
        #expect(loadFirst.failure("mark 398 as reviewed").contains("already marked higher than reviewed"))
        try loadFirst.run("mark 398 as reviewed --force")
        let changed = try Self.marks(loadFirst)
        #expect(changed[0]["label"] as? String == "reviewed" && changed[0]["note"] as? String == "chain")
        #expect(try loadFirst.shown("unmark 2") == "unmarked 1 event\n")
        #expect(try Self.marks(loadFirst).count == 2)
    }

    @Test func caseRecordsEvidenceAndEveryCommand() throws {
        let path = try Self.folder().appendingPathComponent("b.case").path
        let t = TestShell()
        // No case yet: the documented keys all the same (reviewer: only "case").
        let none = try JSONSerialization.jsonObject(with: Data(try TestShell().run("case --json").utf8)) as! [String: Any]
        #expect(Set(none.keys) == ["case", "mark", "note", "ioc", "evidence", "audit"] && none["case"] is NSNull && none["mark"] as? Int == 0)
        try t.run("load \(Self.training)")
        _ = t.failure("timeline --from never")
        try t.run("case new \(path)")
        try t.run("sources")
        let status = try JSONSerialization.jsonObject(with: Data(try t.run("case --json").utf8)) as! [String: Any]
        #expect(status["evidence"] as? Int == t.session.store.files.count)
        let log = try JSONSerialization.jsonObject(with: Data(try t.run("case log --json").utf8)) as! [[String: Any]]
        let commands = log.map { $0["command"] as! String }
        #expect(commands.starts(with: ["load \(Self.training)", "timeline --from never", "case new \(path)", "sources"]))
        #expect(log[1]["error"] as? String != nil && log[0]["error"] is NSNull)
    }

    @Test func refusedFilesAreLeftUnchanged() throws {
        let dir = try Self.folder()
        let t = TestShell()
        // Not SQLite at all.
        let text = dir.appendingPathComponent("notes.txt")
        try Data("hello\n".utf8).write(to: text)
        #expect(t.failure("case open \(text.path)").contains("not an exhunt case file (not an SQLite database)"))
        #expect(try Data(contentsOf: text) == Data("hello\n".utf8))
        #expect(t.failure("case open \(dir.appendingPathComponent("missing.case").path)").contains("no case file"))
        #expect(t.failure("case new \(text.path)").contains("already exists"))

        // A real case, then variants made by editing its header: SQLite but another application, a newer schema.
        let good = dir.appendingPathComponent("good.case").path
        try t.run("case new \(good); case close")
        let original = try Data(contentsOf: URL(fileURLWithPath: good))
        func variant(_ name: String, _ edit: (inout Data) -> Void) throws -> URL {
            var d = original
            edit(&d)
            let url = dir.appendingPathComponent(name)
            try d.write(to: url)
            return url
        }
        let foreign = try variant("foreign.db") { $0.replaceSubrange(68..<72, with: [0, 0, 0, 0]) }   // application_id
        let newer = try variant("newer.case") { $0.replaceSubrange(60..<64, with: [0, 0, 0, 99]) }    // user_version
        let damaged = try variant("damaged.case") { d in
            for i in 100..<d.count { d[i] = 0xA5 }                                                  // every page after the header
        }
        let truncated = try variant("truncated.case") { $0 = $0.prefix(40) }
        let cases: [(URL, String)] = [(foreign, "not an exhunt case file"), (newer, "newer exhunt"),
                                      (damaged, "damaged"), (truncated, "damaged")]
        for (url, expected) in cases {
            let before = try Data(contentsOf: url)
            let message = t.failure("case open \(url.path)")
            #expect(message.contains(expected), "\(url.lastPathComponent): \(message)")
            #expect(message.contains("nothing was changed"), "\(url.lastPathComponent): \(message)")
            #expect(try Data(contentsOf: url) == before, "\(url.lastPathComponent) was changed")
        }
        #expect(try t.run("case") .contains("no case is open"))
    }

    /// A trigger or view in a case file (exhunt writes neither) would run as exhunt writes marks and the audit
    /// log: such a file is refused before anything is written.
    @Test func aCaseFileWithATriggerIsRefused() throws {
        let dir = try Self.folder()
        let t = TestShell()
        let path = dir.appendingPathComponent("tampered.case").path
        try t.run("case new \(path); case close")
        let db = try DatabaseQueue(path: path)
        try db.write { try $0.execute(sql: "CREATE TRIGGER hide AFTER INSERT ON mark BEGIN DELETE FROM mark; END") }
        try db.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let message = t.failure("case open \(path)")
        #expect(message.contains("holds SQL exhunt never writes (trigger hide)") && message.contains("nothing was changed"), "\(message)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func twoShellsShareOneCase() throws {
        let path = try Self.folder().appendingPathComponent("shared.case").path
        let a = TestShell(), b = TestShell()
        try a.run("load \(Self.training); case new \(path)")
        try b.run("load \(Self.training); case open \(path)")
        for i in 0..<20 {
            try a.run("mark \(i) as reviewed")
            try b.run("mark \(100 + i) as suspicious")
        }
        try a.run("note from a")
        try b.run("note from b")
        // Each sees the other's marks without reopening.
        #expect(try Self.marks(a).count == 40)
        #expect(try Self.marks(b).count == 40)
        #expect(try a.run("timeline --marked suspicious --json").split(separator: "\n").count == 20)
        let c = TestShell()
        try c.run("case open \(path)")
        #expect(try c.run("note").components(separatedBy: "from ").count == 3)
        // Indicators too: what one adds, the other's ioc and grep-ioc see without reopening.
        try a.run("ioc add ip 9.9.9.9")
        try b.run("ioc add ip 167.99.168.251")
        for t in [a, b] {
            let shown = try t.run("ioc show analyst")
            #expect(shown.contains("9.9.9.9") && shown.contains("167.99.168.251"), "\(shown)")
        }
        #expect(try a.run("grep-ioc analyst").contains("167.99.168.251"))
    }
}

/// The analyst IOC table other commands use.
@Suite struct AnalystIOCTests {
    @Test func addListUpdateRemove() throws {
        let path = try CaseFileTests.folder().appendingPathComponent("ioc.case").path
        let file = try CaseFile.create(at: path)
        let a = try file.addIOC(AnalystIOC(type: "ip", value: "167.99.168.251", note: "attacker", user: "ana", time: 1))
        let b = try file.addIOC(AnalystIOC(type: "path", value: "\\aspnet_client\\supp0rt.aspx", note: "", user: "ana", time: 2))
        #expect(try file.addIOC(AnalystIOC(type: "ip", value: "167.99.168.251", note: "C2", user: "bo", time: 3)) == a)
        #expect(try file.iocs().map(\.note) == ["C2", ""])
        #expect(try file.removeIOC(id: b))
        #expect(try !file.removeIOC(id: b))
        file.close()
        let again = try CaseFile.open(at: path)
        #expect(try again.iocs().map(\.value) == ["167.99.168.251"])
    }
}

/// The case's list of evidence is the chain of custody: every server's copy of a file is on it.
@Suite struct CaseEvidenceListTests {
    /// Two servers' byte-identical `build/exsetup.txt`, each server loaded alone: both are recorded (reviewer: the
    /// second server's copy was missing, keyed by digest and path alone).
    @Test func identicalFilesOfTwoServersAreBothRecorded() throws {
        let dir = try CaseFileTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for server in ["EX01", "EX02"] {
            let file = dir.appendingPathComponent("\(server)/build/exsetup.txt")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "ProductVersion   FileVersion\r\n--------------   -----------\r\n15.01.2176.002   15.01.2176.002\r\n".write(to: file, atomically: true, encoding: .utf8)
            let log = dir.appendingPathComponent("\(server)/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log")
            try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-uri-stem\r\n2021-03-03 06:49:42 10.0.0.\(server.suffix(1)) /owa/\r\n"
                .write(to: log, atomically: true, encoding: .utf8)
        }
        let t = TestShell()
        try t.run("case new \(dir.appendingPathComponent("c.case").path)")
        try t.run("load \(dir.appendingPathComponent("EX01").path) --name one")
        try t.run("load \(dir.appendingPathComponent("EX02").path) --name two")
        let file = try #require(CaseState.of(t.session).file)
        #expect(try file.evidence().filter { $0.path.hasPrefix("build/") }.map { "\($0.server) \($0.path)" }.sorted()
                == ["one build/exsetup.txt", "two build/exsetup.txt"], "each server named by its set, as loaded")
    }
}

/// `case close` is the closed case's last audit entry, not the next case's first (reviewer: it was in neither).
@Suite struct CaseCloseAuditTests {
    @Test func closeIsLoggedInTheCaseItCloses() throws {
        let dir = try CaseFileTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("a.case").path, second = dir.appendingPathComponent("b.case").path
        let t = TestShell()
        try t.run("case new \(first)")
        try t.run("set")
        try t.run("case close")
        try t.run("case new \(second)")
        let a = try CaseFile.open(at: first)
        defer { a.close() }
        #expect(try a.auditLog().map(\.command).suffix(2) == ["set", "case close"])
        let b = try #require(CaseState.of(t.session).file)
        #expect(!(try b.auditLog().map(\.command)).contains("case close"))
    }
}

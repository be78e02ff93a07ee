import ExchangeEvidence
import Foundation
import InvestigationShell
import Testing

/// The Timesketch export: required columns with the types Timesketch expects, in CSV and JSONL.
@Suite struct TimelineExportTests {
    /// Splits RFC 4180 CSV text into records (quoted fields may hold commas, quotes and newlines).
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], field = "", record: [String] = []
        var quoted = false, i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if quoted {
                if c == "\"" {
                    let next = text.index(after: i)
                    if next < text.endIndex && text[next] == "\"" { field.append("\""); i = next } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" { record.append(field); records.append(record); record = []; field = "" }
            else if c != "\r" { field.append(c) }
            i = text.index(after: i)
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    /// What Timesketch requires of a row: a message, an ISO 8601 datetime it can parse, a timestamp description.
    static func checkRow(_ row: [String: Any]) {
        #expect((row["message"] as? String).map { !$0.isEmpty } == true)
        let datetime = row["datetime"] as? String ?? ""
        #expect(datetime.hasSuffix("+00:00") && Timestamp.parse(datetime) != nil, "datetime \(datetime)")
        #expect((row["timestamp_desc"] as? String).map { !$0.isEmpty } == true)
    }

    @Test func csvHasTheRequiredColumnsAndTypes() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        try t.run("mark 398 as malicious --tag ssrf --note 'first SSRF'")
        let file = dir.appendingPathComponent("tl.csv")
        let out = try t.shown("export timeline \(file.path) --filter '--ip 167.99.168.251'")
        #expect(out.hasPrefix("wrote "))
        let one = dir.appendingPathComponent("one.jsonl")
        #expect(try t.shown("export timeline \(one.path) --filter '--ip 167.99.168.251 --limit 1'").hasPrefix("wrote 1 event to "))
        // The provenance beside names every evidence file loaded with its digest, not only those the rows come from.
        let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: one.path + ".provenance.json"))) as! [String: Any]
        let listed = try #require(provenance["evidence_files"] as? [[String: Any]])
        #expect(listed.count == t.session.store.filesAsRead.count)
        #expect(Set(listed.compactMap { $0["sha256"] as? String }) == Set(t.session.store.filesAsRead.map(\.sha256)))
        let records = Self.parseCSV(try String(contentsOf: file, encoding: .utf8))
        let header = records[0]
        for required in ["message", "datetime", "timestamp_desc"] { #expect(header.contains(required)) }
        #expect(Set(header).count == header.count)
        let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(rows.count == (try t.run("timeline --json --ip 167.99.168.251")).split(separator: "\n").count)
        // No `hunt` ran: the export ran it, so the attacker's requests carry their findings.
        #expect(rows.contains { ($0["findings"] ?? "").hasPrefix("F") }, "findings column filled without a prior hunt")
        for r in rows {
            #expect(r.count == header.count)
            Self.checkRow(r)
            let micros = try #require(Int64(r["timestamp"]!))
            #expect(micros / 1000 == Timestamp.parse(r["datetime"]!))
            #expect(Int(r["event"]!) != nil && Int(r["line"]!) != nil)
            let tags = try JSONSerialization.jsonObject(with: Data(r["tag"]!.utf8)) as? [String]
            #expect(tags != nil)
        }
        let marked = try #require(rows.first { $0["event"] == "398" })
        #expect(marked["tag"] == "[\"malicious\",\"ssrf\"]" && marked["mark_note"] == "first SSRF")
        #expect(marked["timestamp_desc"] == "Request time")
    }

    /// A shell with one IIS log loaded (server SRVT): the header, then `lines`, the last one without its newline
    /// (the file ends inside it, as a live log collected mid-write does). Remove the folder when done.
    static func loadedIISLog(_ lines: String) throws -> (TestShell, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cut-\(UUID().uuidString)")
        let logs = dir.appendingPathComponent("SRVT/W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try ("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
             + "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n" + lines)
            .write(to: logs.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("SRVT").path)'")
        return (t, dir)
    }

    /// A request line cut off by the end of its file before its URL stem is no request to tell: the timeline, its
    /// JSON and the export show the line itself, not a message of its method alone.
    @Test func aCutOffRequestShowsItsLine() throws {
        let (t, dir) = try Self.loadedIISLog("""
            2021-03-03 06:49:40 10.0.0.11 POST /ecp/y.js - 443 - 130.255.189.21 python-requests/2.25.1 - 200 0 0 211
            2021-03-03 06:50:02 10.0.0.11 POST /owa/auth/Current/themes/resources/logon.css
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try TimelineCommandTests.rows(try t.run("timeline --json"))
        #expect(rows.count == 2)
        #expect(rows.last?["message"] as? String == "2021-03-03 06:50:02 10.0.0.11 POST /owa/auth/Current/themes/resources/logon.css")
        let file = dir.appendingPathComponent("cut.csv")
        try t.run("export timeline '\(file.path)'")
        let records = Self.parseCSV(try String(contentsOf: file, encoding: .utf8))
        let header = records[0]
        let messages = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0))["message"] ?? "" }
        #expect(messages.last == "2021-03-03 06:50:02 10.0.0.11 POST /owa/auth/Current/themes/resources/logon.css")
        #expect(messages.first?.hasPrefix("POST /ecp/y.js") == true)
    }

    /// A live log collected mid-write: the last request is cut inside its user agent. Its whole values (time,
    /// method, stem, client address) are read, so `timeline --ip` and `grep-ioc` find it and the message is
    /// the request; the cut user agent is not a value (`show` names it as cut off).
    @Test func aRequestCutInItsUserAgentKeepsItsWholeValues() throws {
        let (t, dir) = try Self.loadedIISLog("""
            2021-03-04 01:00:01 10.0.0.12 GET /owa/ - 443 - 10.1.3.7 Mozilla/5.0 - 200 0 0 5
            2021-03-04 01:00:09 10.0.0.12 POST /owa/auth/errorEE.aspx - 443 - 91.192.103.43 antSword/v2
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try TimelineCommandTests.rows(try t.run("timeline --ip 91.192.103.43 --json"))
        #expect(rows.map { $0["message"] as? String } == ["POST /owa/auth/errorEE.aspx from 91.192.103.43"])
        let hits = try JSONSerialization.jsonObject(with: Data(try t.run("grep-ioc --json").utf8)) as! [[String: Any]]
        #expect(hits.contains { $0["ioc"] as? String == "errorEE.aspx" })
        let shown = try t.run("show 1")
        #expect(shown.contains("  cs(User-Agent) (cut off)  antSword/v2\n"), "the column it began in is named: \(shown)")
        #expect(shown.contains("cited by F1 iis.webshell-access"), "the rules see the request")
        #expect(t.session.store.field("cs(User-Agent)", of: 1) == nil, "a rule asking for the user agent gets none")
        #expect(try t.run("sources --problems").contains("line 4: truncated (10 of 15 fields, file ends mid-line; the last value is cut off and not read)"))
    }

    @Test func jsonlHasOneObjectPerLine() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let file = dir.appendingPathComponent("tl.jsonl")
        let result = try JSONSerialization.jsonObject(with: Data(try t.run("export timeline \(file.path) --json").utf8)) as! [String: Any]
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == result["events"] as? Int)
        #expect(lines.count + (result["untimed_skipped"] as! Int) == t.session.store.count)
        for line in lines {
            let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            Self.checkRow(row)
            #expect(row["timestamp"] is Int && row["tag"] is [String] && row["server"] is String)
        }
    }

    @Test func jsonLinesAreExactlyTheSerializedObjects() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        try t.run("mark 2 as malicious --tag 'quote\\\"d' --note 'tab\there'")
        let file = dir.appendingPathComponent("all.jsonl")
        try t.run("export timeline \(file.path)")
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object.count == 15 && object["url_query"] is String, "every column of the documented list")
        }
        let marked = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").first { $0.contains("\"event\":2,") }
        #expect(marked?.contains("tab\\there") == true)
    }

    @Test func exportRefusesToClobber() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let file = dir.appendingPathComponent("tl.csv")
        try t.run("export timeline \(file.path)")
        #expect(t.failure("export timeline \(file.path)").contains("--force"))
        try t.run("export timeline \(file.path) --force")
        #expect(t.failure("export timeline \(dir.appendingPathComponent("x.txt").path)").contains(".csv or .jsonl"))
        // Evidence that happens to be a .csv is never overwritten.
        let server = dir.appendingPathComponent("set/EX09")
        try FileManager.default.createDirectory(at: server, withIntermediateDirectories: true)
        let evidence = server.appendingPathComponent("notes.csv")
        try Data("a,b\n1,2\n".utf8).write(to: evidence)
        try t.run("load \(dir.appendingPathComponent("set").path)")
        #expect(t.failure("export timeline \(evidence.path) --force").contains("is loaded evidence"))
        #expect(try Data(contentsOf: evidence) == Data("a,b\n1,2\n".utf8))
        // Nor is anything added to a loaded set: the next load of it would read the export back as evidence.
        let inside = server.appendingPathComponent("tl.csv")
        #expect(t.failure("export timeline \(inside.path)").contains("inside the evidence set 'set'"))
        #expect(t.failure("report \(server.appendingPathComponent("r.md").path)").contains("inside the evidence set 'set'"))
        #expect(!FileManager.default.fileExists(atPath: inside.path) && !FileManager.default.fileExists(atPath: server.appendingPathComponent("r.md").path))
        #expect(t.failure("export nothing").contains("unknown target"))
    }

    /// A folder under the export's name is never replaced, `--force` or not (reviewer: it was removed with all in
    /// it), nor is an existing provenance file without `--force`; reports, case files and recordings say the same
    /// in words where Foundation and SQLite gave codes.
    @Test func foldersAreNeverReplacedAndEveryWriterSaysWhy() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let folder = dir.appendingPathComponent("full.csv")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: folder.appendingPathComponent("sub/keep.txt"))
        for command in ["export timeline", "export events", "export findings"] {
            let ext = command == "export timeline" ? "csv" : "ndjson"
            let target = dir.appendingPathComponent("full.\(ext)")
            if ext != "csv" { try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true) }
            #expect(t.failure("\(command) '\(target.path)' --force").contains("is a folder; name a file to write"), "\(command)")
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sub/keep.txt").path))
        let kept = dir.appendingPathComponent("t9.csv")
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: kept.path + ".provenance.json"))
        #expect(t.failure("export timeline '\(kept.path)'").contains("t9.csv.provenance.json exists (--force to overwrite)"))
        #expect(try String(contentsOfFile: kept.path + ".provenance.json", encoding: .utf8) == "precious\n")
        let md = dir.appendingPathComponent("r.md")
        try FileManager.default.createDirectory(at: md, withIntermediateDirectories: true)
        #expect(t.failure("report '\(md.path)' --force").contains("r.md is a folder"))
        #expect(t.failure("record start '\(md.path)'").contains("r.md is a folder"))
        #expect(t.failure("case new '\(dir.path)/nowhere/x.case'").contains("the folder \(dir.path)/nowhere does not exist"))
    }

    /// A request's message reads `STEM?QUERY` as it was asked: HttpProxy writes `?` before its `UrlQuery` and the
    /// message does not add another (reviewer: `…json??Protocol=ActiveSync`); IIS writes none, so a `?` at the start
    /// of its query is the client's own and shows as `??`. The export's fast writer and `timeline` agree.
    @Test func aQueryFollowsItsPathWithOneQuestionMark() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-query-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let proxy = dir.appendingPathComponent("set/EX01/Logging/HttpProxy/Autodiscover/HttpProxy_2021081312-1.LOG")
        let iis = dir.appendingPathComponent("set/EX01/inetpub/logs/LogFiles/W3SVC1/u_ex210813.log")
        for url in [proxy, iis] { try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) }
        try ("#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,UrlStem,UrlQuery,ClientIpAddress,HttpStatus,Method\r\n"
             + "2021-08-13T12:00:01.000Z,/autodiscover/autodiscover.json/v1.0/alice@contoso.com,?Protocol=ActiveSync,10.0.0.9,200,GET\r\n")
            .write(to: proxy, atomically: true, encoding: .utf8)
        try ("#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip sc-status\r\n"
             + "2021-08-13 12:00:02 10.0.0.5 GET /owa/x.js ?x=1 10.0.0.9 200\r\n").write(to: iis, atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("set").path)'")
        let shown = try t.run("timeline")
        #expect(shown.contains("GET /autodiscover/autodiscover.json/v1.0/alice@contoso.com?Protocol=ActiveSync 200"), "\(shown)")
        #expect(shown.contains("GET /owa/x.js??x=1 200"))
        let file = dir.appendingPathComponent("t.csv")
        try t.run("export timeline '\(file.path)'")
        let csv = try String(contentsOf: file, encoding: .utf8)
        #expect(csv.contains("alice@contoso.com?Protocol=ActiveSync 200") && !csv.contains("??Protocol") && csv.contains("/owa/x.js??x=1 200"))
    }

    /// exhunt's own Timesketch JSONL loads back: every row an event with its time, server and message.
    @Test func jsonlExportLoadsBack() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let file = dir.appendingPathComponent("tl.jsonl")
        try t.run("export timeline \(file.path) --filter \"--server EX01 --source httpproxy\"")
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        let back = TestShell()
        let out = try back.shown("load \(file.path)")
        #expect(out.hasPrefix("loaded tl.jsonl: 1 file, \(rows.count) events"))
        #expect(out.contains("from EX01"))
        #expect(!out.contains("warning"))
        let store = back.session.store
        let first = try JSONSerialization.jsonObject(with: Data(rows[0].utf8)) as! [String: Any]
        #expect(store.field("message", of: 0) == first["message"] as? String)
        #expect(Timestamp.iso(store.time[0]) == Timestamp.iso(Timestamp.parse(first["datetime"] as! String)!))
        #expect(try back.run("timeline --limit 1").contains(first["message"] as! String))
    }
}

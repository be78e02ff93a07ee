import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// `export events`: an Elasticsearch bulk request (action line, then document) whose documents use ECS
/// field names with the types ECS gives them, so a cluster with the ECS templates indexes every line.
@Suite struct EventsExportTests {
    /// The ECS types of the fields the export writes (from the ECS reference: keyword, long, ip, date).
    static let ecsTypes: [String: String] = [
        "@timestamp": "date", "message": "text", "host.name": "keyword", "event.kind": "keyword", "event.dataset": "keyword",
        "event.code": "keyword", "event.provider": "keyword", "event.original": "keyword", "event.severity": "long",
        "source.ip": "ip", "user_agent.original": "keyword", "url.path": "keyword", "url.query": "keyword",
        "http.request.method": "keyword", "http.response.status_code": "long", "user.name": "keyword", "user.domain": "keyword",
        "service.version": "keyword", "log.file.path": "keyword", "file.path": "keyword", "file.size": "long",
        "tags": "keyword", "rule.id": "keyword", "rule.name": "keyword", "vulnerability.id": "keyword",
        "winlog.event_id": "keyword", "winlog.provider_name": "keyword", "winlog.channel": "keyword",
        "winlog.computer_name": "keyword", "winlog.record_id": "keyword", "winlog.level": "keyword",
        "winlog.user.identifier": "keyword", "process.command_line": "keyword", "process.executable": "keyword",
        "process.parent.executable": "keyword", "process.parent.command_line": "keyword", "destination.ip": "ip",
        "destination.port": "long", "destination.domain": "keyword", "dns.question.name": "keyword", "source.port": "long",
        "exhunt.user_agent_logged": "keyword",
    ]

    /// Flattens a nested document to dotted paths.
    static func flatten(_ object: [String: Any], prefix: String = "") -> [String: Any] {
        var out: [String: Any] = [:]
        for (k, v) in object {
            let path = prefix.isEmpty ? k : prefix + "." + k
            if let child = v as? [String: Any] { out.merge(flatten(child, prefix: path)) { a, _ in a } } else { out[path] = v }
        }
        return out
    }

    /// Checks a value against an ECS type (a list is checked item by item, as Elasticsearch does).
    static func fits(_ value: Any, _ type: String) -> Bool {
        if let list = value as? [Any] { return list.allSatisfy { fits($0, type) } }
        switch type {
        case "long": return value is Int && !(value is Bool)
        case "ip": return (value as? String).map(ECSMapping.isIP) ?? false
        case "date": return (value as? String).map { $0.hasSuffix("Z") && Timestamp.parse($0) != nil } ?? false
        default: return value is String
        }
    }

    /// Parses a bulk body into (action, document) pairs, checking the alternation.
    static func bulk(_ text: String) throws -> [([String: Any], [String: Any])] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "a bulk body ends with a newline")
        let body = lines.dropLast()
        #expect(body.count % 2 == 0)
        var pairs: [([String: Any], [String: Any])] = []
        var i = body.startIndex
        while i + 1 < body.endIndex {
            let action = try JSONSerialization.jsonObject(with: Data(body[i].utf8)) as! [String: Any]
            let doc = try JSONSerialization.jsonObject(with: Data(body[i + 1].utf8)) as! [String: Any]
            pairs.append((action, doc))
            i += 2
        }
        return pairs
    }

    @Test func bulkLinesWithECSTypes() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        try t.run("mark 398 as malicious --tag ssrf --note 'first SSRF'")
        let file = dir.appendingPathComponent("events.ndjson")
        let result = try JSONSerialization.jsonObject(with: Data(try t.run("export events \(file.path) --index exhunt-ex01 --json").utf8)) as! [String: Any]
        let pairs = try Self.bulk(try String(contentsOf: file, encoding: .utf8))
        #expect(pairs.count == result["events"] as? Int)
        // The text names the first of those left out: the collected web shell has no time.
        #expect(try t.shown("export events \(file.path) --force").contains("without a time left out, a data stream refuses them: "
                                                                          + "EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx:1"))
        #expect(pairs.count + (result["untimed_skipped"] as! Int) == t.session.store.count)
        var sources = Set<String>(), withData = 0
        for (action, doc) in pairs {
            #expect((action["create"] as? [String: Any])?["_index"] as? String == "exhunt-ex01")
            let flat = Self.flatten(doc)
            for (path, value) in flat {
                if let type = Self.ecsTypes[path] { #expect(Self.fits(value, type), "\(path) = \(value) is not \(type)") }
                else { #expect(path.hasPrefix("exhunt.") || path.hasPrefix("winlog.event_data."), "unexpected field \(path)") }
            }
            sources.insert(flat["exhunt.source"] as! String)
            // ECS's url.query excludes the `?`; HttpProxy's UrlQuery keeps it, IIS's cs-uri-query has none.
            if let query = flat["url.query"] as? String { #expect(!query.hasPrefix("?"), "\(query)") }
            if flat.keys.contains(where: { $0.hasPrefix("winlog.event_data.") }) { withData += 1 }
        }
        #expect(sources.isSuperset(of: ["httpproxy", "iis", "eventlog", "file-listing"]))
        // A file listing's path is file.path, never url.path (its url_stem column holds the Windows path).
        for (_, doc) in pairs {
            let flat = Self.flatten(doc)
            if flat["exhunt.source"] as? String == "file-listing" { #expect(flat["url.path"] == nil && flat["file.path"] is String, "\(flat)") }
        }
        #expect(withData > 0, "event-log data lands under winlog.event_data")
        let marked = try #require(pairs.map { Self.flatten($0.1) }.first { $0["exhunt.event"] as? Int == 398 })
        #expect(marked["tags"] as? [String] == ["malicious", "ssrf"] && marked["exhunt.mark.note"] as? String == "first SSRF")
        #expect(marked["source.ip"] as? String == "167.99.168.251" && marked["event.original"] is String)
        #expect((marked["exhunt.findings"] as? [String])?.isEmpty == false)
        // A process creation has its ECS process fields, and keeps its event data under winlog.event_data.
        let shell = try #require(pairs.map { Self.flatten($0.1) }.first { ($0["process.command_line"] as? String) == "cmd /c whoami" })
        #expect(shell["process.executable"] as? String == "C:\\Windows\\System32\\cmd.exe", "\(shell)")
        #expect((shell["process.parent.executable"] as? String)?.hasSuffix("w3wp.exe") == true)
        #expect(shell["winlog.event_data.CommandLine"] as? String == "cmd /c whoami")
    }

    /// The flattened documents `export events` writes for an IIS log of these request lines.
    static func exportedIIS(_ lines: String) throws -> [[String: Any]] {
        let dir = ShellHarness.temporaryFolder()
        let set = dir.appendingPathComponent("set/EX01/W3SVC1")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        try Data(("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
                  + "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n" + lines + "\n").utf8)
            .write(to: set.appendingPathComponent("u_ex210303.log"))
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("set").path)")
        let file = dir.appendingPathComponent("e.ndjson")
        try t.run("export events \(file.path)")
        return try bulk(try String(contentsOf: file, encoding: .utf8)).map { flatten($0.1) }
    }

    /// An event log's own `-` is a value winlogbeat keeps in `winlog.event_data`; it fits no address or number,
    /// and is not put aside as one that does not fit. A logon's `IpPort` is `source.port`, its `TargetUserName`
    /// `user.name`.
    @Test func eventLogDashesAreKeptAndTheLogonPortIsTheSourcePort() throws {
        let dir = ShellHarness.temporaryFolder()
        let set = dir.appendingPathComponent("set/EX01")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        func logon(_ record: Int, _ ip: String, _ port: String, subject: String = "-") -> String {
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
                + "<EventID>4624</EventID><Level>0</Level><TimeCreated SystemTime='2021-03-03T07:2\(record):00.000Z'/><EventRecordID>\(record)</EventRecordID>"
                + "<Channel>Security</Channel><Computer>EX01.contoso.local</Computer></System><EventData><Data Name='SubjectUserName'>\(subject)</Data>"
                + "<Data Name='TargetUserName'>admin</Data><Data Name='LogonType'>3</Data><Data Name='IpAddress'>\(ip)</Data>"
                + "<Data Name='IpPort'>\(port)</Data></EventData></Event>\n"
        }
        try Data((logon(1, "-", "-") + logon(2, "10.1.3.9", "51234", subject: "EX01$") + logon(3, "fe80::5c1:2%12", "0")).utf8).write(to: set.appendingPathComponent("Security.xml"))
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("set").path)")
        let file = dir.appendingPathComponent("e.ndjson")
        try t.run("export events \(file.path)")
        let docs = try Self.bulk(try String(contentsOf: file, encoding: .utf8)).map { Self.flatten($0.1) }
        #expect(docs.count == 3)
        #expect(docs[0]["winlog.event_data.SubjectUserName"] as? String == "-" && docs[0]["winlog.event_data.IpAddress"] as? String == "-")
        #expect(docs[0]["source.ip"] == nil && docs[0]["source.port"] == nil)
        #expect(!docs[0].keys.contains { $0.hasPrefix("exhunt.unmapped") }, "\(docs[0])")
        #expect(docs[1]["source.ip"] as? String == "10.1.3.9" && docs[1]["source.port"] as? Int == 51234)
        #expect(docs[1]["winlog.event_data.IpPort"] as? String == "51234")
        // The logon's user is the account logged on, not the computer account that handled it (as winlogbeat).
        #expect(docs[1]["user.name"] as? String == "admin" && docs[1]["winlog.event_data.SubjectUserName"] as? String == "EX01$")
        // A link-local address with its zone, which an ip field refuses: the address, and the value as written.
        #expect(docs[2]["source.ip"] as? String == "fe80::5c1:2" && docs[2]["winlog.event_data.IpAddress"] as? String == "fe80::5c1:2%12")
        #expect(!docs[2].keys.contains { $0.hasPrefix("exhunt.unmapped") }, "\(docs[2])")
    }

    /// A Sysmon network connection: both ends in ECS (`source.*` as `destination.*`, reviewer: the source was only
    /// in event data), and its `-` for a host name left out of `destination.domain` but kept in event data.
    @Test func aSysmonConnectionHasBothEnds() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let set = dir.appendingPathComponent("set/EX01")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        let data = ["Image": "C:\\Windows\\System32\\inetsrv\\w3wp.exe", "SourceIp": "10.0.10.12", "SourceHostname": "EX01.contoso.local",
                    "SourcePort": "49712", "DestinationIp": "203.0.113.9", "DestinationHostname": "-", "DestinationPort": "443"]
        let event = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/>"
            + "<EventID>3</EventID><Level>4</Level><TimeCreated SystemTime='2021-03-03T07:03:00.000Z'/><EventRecordID>7</EventRecordID>"
            + "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>EX01.contoso.local</Computer></System><EventData>"
            + data.sorted { $0.key < $1.key }.map { "<Data Name='\($0.key)'>\($0.value)</Data>" }.joined() + "</EventData></Event>\n"
        // The one event's document, `event` written as the set's Sysmon log, loaded and exported.
        func exported(_ event: String, as name: String) throws -> [String: Any] {
            try Data(event.utf8).write(to: set.appendingPathComponent("Sysmon.xml"))
            let t = TestShell()
            try t.run("load '\(dir.appendingPathComponent("set").path)'")
            let file = dir.appendingPathComponent(name)
            try t.run("export events '\(file.path)'")
            return try #require(try Self.bulk(try String(contentsOf: file, encoding: .utf8)).map { Self.flatten($0.1) }.first)
        }
        let doc = try exported(event, as: "e.ndjson")
        #expect(doc["source.ip"] as? String == "10.0.10.12" && doc["source.port"] as? Int == 49712 && doc["source.domain"] as? String == "EX01.contoso.local")
        #expect(doc["destination.ip"] as? String == "203.0.113.9" && doc["destination.port"] as? Int == 443)
        #expect(doc["destination.domain"] == nil, "\(doc)")
        #expect(doc["winlog.event_data.DestinationHostname"] as? String == "-" && doc["winlog.event_data.SourcePort"] as? String == "49712")

        // A port outside 0–65535 is no port: kept aside as a value that does not fit (reviewer).
        let bad = event.replacingOccurrences(of: ">49712<", with: ">99999<").replacingOccurrences(of: ">443<", with: ">-1<")
            .replacingOccurrences(of: "<EventRecordID>7<", with: "<EventRecordID>8<")
        let kept = try exported(bad, as: "f.ndjson")
        #expect(kept["source.port"] == nil && kept["destination.port"] == nil, "\(kept)")
        #expect(kept["exhunt.unmapped.SourcePort"] as? String == "99999" && kept["exhunt.unmapped.DestinationPort"] as? String == "-1", "\(kept)")
    }

    @Test func valuesThatDoNotFitTheirTypeAreKeptAside() throws {
        let docs = try Self.exportedIIS("""
            2021-03-03 06:49:42 10.0.0.5 GET /owa/auth/x.js - 443 - 10.0.0.9:x Mozilla/5.0 - abc 0 0 15
            2021-03-03 06:49:43 10.0.0.5 GET /owa/auth/x.js ?x=1 443 - 10.0.0.9:5555 Mozilla/5.0 - 200 0 0 15
            2021-03-03 06:49:44 10.0.0.5 GET /owa/auth/x.js - 443 - [2001:db8::1]:443 Mozilla/5.0 - 200 0 0 15
            2021-03-03 06:49:45 10.0.0.5 GET /owa/auth/x.js - 443 - 10.0.0.9:99999 Mozilla/5.0 - 200 0 0 15
            """)
        #expect(docs[0]["source.ip"] == nil && docs[0]["exhunt.unmapped.client_ip"] as? String == "10.0.0.9:x")
        #expect(docs[0]["http.response.status_code"] == nil && docs[0]["exhunt.unmapped.status"] as? String == "abc")
        #expect(docs[0]["url.path"] as? String == "/owa/auth/x.js" && docs[0]["url.query"] == nil)
        // An address with a port (reviewer: a SIEM search on source.ip missed it): the address, and the port beside it.
        #expect(docs[1]["source.ip"] as? String == "10.0.0.9" && docs[1]["source.port"] as? Int == 5555)
        #expect(docs[1]["exhunt.unmapped.client_ip"] == nil)
        #expect(docs[2]["source.ip"] as? String == "2001:db8::1" && docs[2]["source.port"] as? Int == 443)
        #expect(docs[3]["source.ip"] == nil && docs[3]["exhunt.unmapped.client_ip"] as? String == "10.0.0.9:99999")
        // IIS writes the query without its `?`: one there is the client's (`/owa/auth/x.js??x=1`) and stays.
        #expect(docs[1]["url.query"] as? String == "?x=1")
    }

    /// ECS's `url.query` is the query without its `?`: HttpProxy's `UrlQuery` keeps it, IIS writes none.
    @Test func theQueryHasNoQuestionMark() throws {
        let dir = ShellHarness.temporaryFolder()
        let folder = dir.appendingPathComponent("set/EX01/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(("#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n#Log-type: HttpProxy Logs\n"
                  + "#Fields: DateTime,RequestId,UrlHost,UrlStem,UrlQuery,ClientIpAddress,HttpStatus,Method\n"
                  + "2021-03-03T06:49:42.162Z,5e1b7c2a-0001-4b6f-9a51-1f0c3e8d7a01,mail.contoso.com,/owa/service.svc,?action=GetFolder&ID=-1,10.0.0.9,200,POST\n").utf8)
            .write(to: folder.appendingPathComponent("HttpProxy_2021030306-1.LOG"))
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("set").path)'")
        let file = dir.appendingPathComponent("e.ndjson")
        try t.run("export events \(file.path)")
        let doc = try #require(try Self.bulk(try String(contentsOf: file, encoding: .utf8)).map { Self.flatten($0.1) }.first)
        #expect(doc["url.path"] as? String == "/owa/service.svc" && doc["url.query"] as? String == "action=GetFolder&ID=-1", "\(doc)")
    }

    /// ECS wants an account's name and domain apart, and the user agent the client sent: IIS's `+` for a
    /// space is read back as the space; HttpProxy's own spelling is kept.
    @Test func accountsAreSplitAndIISUserAgentsReadAsSent() throws {
        let docs = try Self.exportedIIS("""
            2021-03-03 06:49:42 10.0.0.5 POST /owa/auth/logon.aspx - 443 CONTOSO\\ana 10.0.0.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 302 0 0 15
            2021-03-03 06:49:43 10.0.0.5 GET /ews/exchange.asmx - 443 ana@contoso.com 10.0.0.9 Microsoft+Office/16.0 - 200 0 0 15
            2021-03-03 06:49:44 10.0.0.5 GET /owa/ - 443 ana 10.0.0.9 - - 200 0 0 15
            """)
        #expect(docs.map { $0["user.name"] as? String } == ["ana", "ana", "ana"])
        #expect(docs.map { $0["user.domain"] as? String } == ["CONTOSO", "contoso.com", nil])
        #expect(docs[0]["user_agent.original"] as? String == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        #expect(docs[1]["user_agent.original"] as? String == "Microsoft Office/16.0")
        // IIS's form is kept beside it: a '+' the client sent cannot be told from a space, and indicators quote it.
        #expect(docs[0]["exhunt.user_agent_logged"] as? String == "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)")
        #expect(ECSMapping.account("\\x").domain == nil && ECSMapping.account("x@").domain == nil, "half an account is a name")
    }

    /// Two mapping rows giving one field the same value (a Security event's client IP and its `IpAddress`, both
    /// `source.ip`) write it once; different values stay a list.
    @Test func aFieldGivenTheSameValueTwiceIsWrittenOnce() {
        #expect(ECSDocument.serialized([("source.ip", .string("10.23.123.11")), ("source.ip", .string("10.23.123.11")),
                                       ("tags", .string("a")), ("tags", .string("b"))])
                == #"{"source":{"ip":"10.23.123.11"},"tags":["a","b"]}"#)
    }

    /// A field's own name as a key (an event-log field kept under `exhunt.unmapped`) merges with the same name
    /// and sits beside the mapping's keys; a document reused for the next event starts empty.
    @Test func keysNotInTheMappingMergeAndAReusedDocumentStartsEmpty() {
        let keys = ECSKeys(["exhunt", "unmapped", "event"])
        let d = ECSDocument()
        func write() -> String {
            var out = ExportBytes()
            d.write(keys: keys, into: &out)
            return String(decoding: out.bytes, as: UTF8.self)
        }
        d.add(d.path(["exhunt", "unmapped", "Foo"], keys: keys)) { $0.appendJSON("1") }
        d.add(d.path(["exhunt", "event"], keys: keys)) { $0.append(int: 5) }
        d.add(d.path(["exhunt", "unmapped", "Bar\"x"], keys: keys)) { $0.appendJSON("2") }
        d.add(d.path(["exhunt", "unmapped", "Foo"], keys: keys)) { $0.appendJSON("3") }
        #expect(write() == #"{"exhunt":{"unmapped":{"Foo":["1","3"],"Bar\"x":"2"},"event":5}}"#)
        d.reset()
        d.add(d.path(["event"], keys: keys)) { $0.appendJSON("x") }
        #expect(write() == #"{"event":"x"}"#)
    }

    @Test func addressesAreCheckedAsBytes() {
        #expect(ECSMapping.isIP("10.0.0.1") && ECSMapping.isIP("::1") && ECSMapping.isIP("fe80::1"))
        #expect(!ECSMapping.isIP("10.0.0.1:443") && !ECSMapping.isIP("-") && !ECSMapping.isIP(""))
        #expect(!ECSMapping.isIP("10.0.0.1\u{0}junk"), "the C parser would stop at the NUL and accept the address before it")
        #expect(!ECSMapping.isIP(String(repeating: "1", count: 100)))
        func address(_ s: String) -> String? {
            var v = s
            return v.withUTF8 { ECSMapping.address(UnsafeRawBufferPointer($0)).map { String(decoding: $0, as: UTF8.self) } }
        }
        // A zone is dropped, with or without the brackets a URL writes an IPv6 address in (review of stop 33).
        #expect(address("fe80::1%12") == "fe80::1" && address("[fe80::1%12]") == "fe80::1" && address("[2001:db8::1]") == "2001:db8::1")
        #expect(address("[10.0.0.1]") == nil && address("[]") == nil && address("[[::1]]") == nil && address("10.0.0.1%12") == nil)
    }

    @Test func indexNamesAndFilesAreChecked() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        #expect(t.failure("export events \(dir.appendingPathComponent("x.ndjson").path) --index Bad").contains("not a valid index name"))
        #expect(t.failure("export events \(dir.appendingPathComponent("x.json").path)").contains(".ndjson"))
        #expect(t.failure("export events /no/such/folder/x.ndjson").contains("/no/such/folder"))
        let file = dir.appendingPathComponent("some.ndjson")
        try t.run("export events \(file.path) --filter '--server EX02'")
        #expect(try t.shown("export events \(dir.appendingPathComponent("none.ndjson").path) --filter '--contains no-such-text'")
                    .contains("warning: no event to write"))
        #expect(t.failure("export events \(file.path)").contains("--force"))
        #expect(!FileManager.default.fileExists(atPath: file.path + ".partial"))
    }

    @Test func theMappingIsDataAndIsValidated() throws {
        #expect(try ECSMapping.standard().rows.count > 10)
        #expect(throws: ShellError.self) { try ECSMapping(text: "*\t:client_ip\tsource.ip\tfloat\n", name: "m.tsv") }
        do {
            _ = try ECSMapping(text: "# c\n*\t:nope\tx.y\tkeyword\n", name: "m.tsv")
            Issue.record("an unknown field must be refused")
        } catch { #expect("\(error)".contains("m.tsv:2")) }
        #expect(throws: ShellError.self) { try ECSMapping(text: "*\t:user\ta.b\tkeyword\n*\t:method\ta.b.c\tkeyword\n", name: "m.tsv") }
        do {
            _ = try ECSMapping(text: "*\t:user\ta.b.c.d.e.f.g.h.i\tkeyword\n", name: "m.tsv")
            Issue.record("a path deeper than a document holds must be refused")
        } catch { #expect("\(error)".contains("deeper than 8")) }
        let nested = ECSDocument.serialized([("a.b", .int(1)), ("a.c", .string("x")), ("a.b", .int(2)), ("d", .null), ("e.f.g", .bool(true)),
                                             ("a.b", .int(3)), ("e.h", .strings(["p"]))])
        #expect(nested == #"{"a":{"b":[1,2,3],"c":"x"},"d":null,"e":{"f":{"g":true},"h":["p"]}}"#)
    }
}

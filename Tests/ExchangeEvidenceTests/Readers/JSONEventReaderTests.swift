import ExchangeEvidence
import Foundation
import Testing

/// Events exported as JSON must land in the store exactly as the same events read from event XML: same
/// channel, event id, provider, computer and event-data names, so every event-log rule works on them.
@Suite struct JSONEventReaderTests {
    /// The events of `Fixtures/json/events.xml`, as (name, value) pairs without the rendered message.
    static func xmlEvents() throws -> [[String: String]] {
        let (store, _) = try Fixtures.load(Fixtures.path("json/events.xml"))
        return (0..<store.count).map { dict(store, $0) }
    }

    static func dict(_ store: EventStore, _ e: EventID) -> [String: String] {
        var d: [String: String] = [:]
        for f in store.fields(of: e) where f.name != "Message" { d[f.name] = f.value }
        return d
    }

    static func load(_ name: String) throws -> (EventStore, LoadReport) {
        try Fixtures.load(Fixtures.path("json/" + name))
    }

    /// `TimeCreated` with its fraction cut to `digits` places (7 keeps the 100 ns ticks Windows records).
    static func timeCreated(_ event: [String: String], digits: Int) -> [String: String] {
        var e = event
        guard let t = e["TimeCreated"], let dot = t.firstIndex(of: "."), t.hasSuffix("Z") else { return e }
        let fraction = t[t.index(after: dot)...].dropLast()
        let kept = String(fraction.prefix(digits)) + String(repeating: "0", count: max(0, fraction.count - digits))
        e["TimeCreated"] = String(t[..<dot]) + "." + kept + "Z"
        return e
    }

    /// The second argument is the fractional digits of TimeCreated each export carries. Windows records 100 ns
    /// ticks (event XML and EVTX keep all 7 digits); NXLog copies them into `TimeCreated`, but winlogbeat's
    /// `@timestamp` and PowerShell's `/Date(ms)/` are milliseconds and Velociraptor's epoch seconds carry three
    /// decimals. The time is compared at that precision (the rest of it is not in the file to be read);
    /// every other field must be identical.
    @Test(arguments: [("nxlog.jsonl", 7), ("winlogbeat.jsonl", 3), ("velociraptor.jsonl", 3), ("powershell.json", 3),
                      ("nxlog.jsonl.gz", 7)])
    func sameEventsAsTheEventXML(_ name: String, timeDigits: Int) throws {
        let xml = try Self.xmlEvents()
        let (store, _) = try Self.load(name)
        #expect(store.files[0].kind.rawValue == "eventlog")
        #expect(store.files[0].problems.total == 0, "\(store.files[0].problems.kept)")
        #expect(store.count == 2)
        for e in 0..<store.count {
            let got = Self.dict(store, e)
            let want = xml.first { $0["EventRecordID"] == got["EventRecordID"] }!
            #expect(got == Self.timeCreated(want, digits: timeDigits), "\(name) event \(e)")
        }
        #expect(store.files[0].server == "EX01")
    }

    /// A merged export of two servers' rows is filed under the most common one (one server per file), and the
    /// file says so instead of quietly showing every row as that server's.
    /// Elastic Agent keeps Sysmon's process fields only as ECS (`process.*`, `user.name`/`user.domain`): they
    /// come back under the event-data names the rules read, the user as `DOMAIN\name`.
    @Test func elasticAgentECSFieldsComeBackAsEventData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-ecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let line = #"{"@timestamp":"2021-03-03T07:02:15.000Z","winlog":{"provider_name":"Microsoft-Windows-Sysmon","event_id":1,"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"EX01.contoso.local","record_id":5},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd /c whoami","parent":{"executable":"c:\\windows\\system32\\inetsrv\\w3wp.exe"}},"user":{"name":"SYSTEM","domain":"NT AUTHORITY"}}"#
        try (line + "\n").write(to: dir.appendingPathComponent("sysmon.ndjson"), atomically: true, encoding: .utf8)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.field("User", of: 0) == "NT AUTHORITY\\SYSTEM")
        #expect(store.field("CommandLine", of: 0) == "cmd /c whoami")
        #expect(store.field("ParentImage", of: 0) == "c:\\windows\\system32\\inetsrv\\w3wp.exe")
    }

    /// A fleet's merged export: each row is filed under its own server (one store file per server, sharing the
    /// file's bytes and SHA-256), counted as one file; a row naming no server goes with the most common.
    @Test func rowsOfSeveralServersAreFiledPerServer() throws {
        let dir = Fixtures.tempDir()
        var rows = (0..<5).map { i in
            "{\"message\": \"GET /owa/ \(i)\", \"datetime\": \"2021-03-03T06:4\(i):00+00:00\", \"timestamp_desc\": \"Request time\", "
                + "\"server\": \"\(i < 3 ? "EX01" : "ex02.contoso.local")\"}"
        }
        rows.append("{\"message\": \"no server\", \"datetime\": \"2021-03-03T06:49:00+00:00\", \"timestamp_desc\": \"Request time\"}")
        rows.append(#"{"@timestamp":"2021-03-03T07:02:15.000Z","winlog":{"provider_name":"Microsoft-Windows-Sysmon","event_id":1,"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"EX03.contoso.local","record_id":5},"process":{"command_line":"cmd /c whoami"}}"#)
        Fixtures.write(rows.joined(separator: "\n") + "\n", "fleet/t.jsonl", in: dir)
        let (store, report) = try Fixtures.load(dir.appendingPathComponent("fleet").path)
        #expect(store.count == 7)
        #expect(store.files.map(\.server) == ["EX01", "ex02", "EX03"])
        #expect(store.files.map(\.eventCount) == [4, 2, 1], "the row without a server goes with EX01")
        #expect(Set(store.files.map(\.sha256)).count == 1 && Set(store.files.map(\.path)).count == 1)
        #expect(report.filesAdded == 1 && report.servers == ["EX01", "EX03", "ex02"])
        #expect(store.files.allSatisfy { $0.problems.kept.isEmpty }, "no longer a problem")
        #expect(store.rawLine(6).contains("cmd /c whoami"))
        // Loaded again: the same file, skipped once.
        let again = try EvidenceLoader().load(dir.appendingPathComponent("fleet").path, into: store)
        #expect(again.duplicatesSkipped == 1 && store.files.count == 3)
        // Another export spelling the same servers in lower case files its rows under the names already loaded.
        let other = ["ex01.contoso.local", "ex03"].map { h in
            "{\"message\": \"x\", \"datetime\": \"2021-03-04T06:40:00+00:00\", \"timestamp_desc\": \"Request time\", \"server\": \"\(h)\"}"
        }
        Fixtures.write(other.joined(separator: "\n") + "\n", "fleet2/u.jsonl", in: dir)
        let second = try EvidenceLoader().load(dir.appendingPathComponent("fleet2").path, into: store)
        #expect(second.servers == ["EX01", "EX03"])
    }

    /// A control character written as a JSON escape (`\u001b`) reaches the value as itself: the line is named in
    /// the problems as a raw escape byte in a text log is (reviewer: an NXLog `Message` holding one was not), and
    /// kept; an object of no event shape, kept as a record, is checked too.
    @Test func aControlCharacterByEscapeIsNamed() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = #"{"EventTime":"2021-03-03 07:20:00","Hostname":"EX09","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"#
        Fixtures.write(event + #""Message":"Process Create: plain"}"# + "\n" + event + #""Message":"Process Create: \u001b[31m"}"# + "\n"
                       + #"{"note":"\u0007 bell"}"# + "\n", "EX09/nxlog.json", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.count == 3 && s.field("Message", of: 1) == "Process Create: \u{1B}[31m")
        let named = s.files.flatMap(\.messages).filter { $0.contains("control characters") }
        #expect(named == ["line 2: contains control characters (first: ESC; kept, shown escaped)",
                          "line 3: contains control characters (first: BEL; kept, shown escaped)"])
    }

    /// One winlogbeat file holding a server's Security, Sysmon and System events (the common shipper setup):
    /// each channel is a store file of its own, sharing the bytes, so channel-bound rules and `sources` see each
    /// log; rows naming no channel go with the file's most common one; the file counts once.
    /// OTRF's dataset (iocs.md §4.4): the collector wrote local time with a `Z`, 5 h behind Sysmon's own
    /// `UtcTime`. The Sysmon event is timed by UtcTime and the file says so; the cmdlet event keeps the collector's
    /// time, and the problem warns it may be off as much. A Sysmon event whose UtcTime agrees says nothing.
    @Test func sysmonIsTimedByItsOwnUtcTime() throws {
        let (store, _) = try Self.load("otrf-local-as-utc.json")
        #expect(store.count == 2)
        #expect(Timestamp.iso(store.time[1]) == "2021-03-14T06:40:13.659Z", "Sysmon 11: UtcTime, not @timestamp 01:40:13.660Z")
        #expect(Timestamp.iso(store.time[0]) == "2021-03-14T01:40:12.987Z", "the cmdlet event has no time of its own but the collector's")
        #expect(store.files[0].messages == ["line 2: 1 Sysmon event whose UtcTime is +5 h from the collector's time (a collector that wrote "
                                            + "local time as UTC?): timed by UtcTime; the file's other events keep the collector's time, which may be off by as much"])
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(#"{"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"EX01","@timestamp":"2021-03-14T06:40:13.660Z","EventID":11,"UtcTime":"2021-03-14 06:40:13.659","TargetFilename":"C:\x.aspx"}"# + "\n",
                       "EX01/sysmon.json", in: dir)
        let (agreeing, _) = try Fixtures.load(dir.path)
        #expect(agreeing.files[0].messages.isEmpty && Timestamp.iso(agreeing.time[0]) == "2021-03-14T06:40:13.660Z", "its own time, as from EVTX")
    }

    @Test func rowsOfSeveralChannelsAreFiledPerChannel() throws {
        let dir = Fixtures.tempDir()
        func row(_ channel: String?, _ provider: String, _ id: Int, _ record: Int) -> String {
            let ch = channel.map { "\"channel\":\"\($0)\"," } ?? ""
            return "{\"@timestamp\":\"2021-03-03T07:0\(record):15.000Z\",\"winlog\":{\(ch)\"provider_name\":\"\(provider)\",\"event_id\":\(id),"
                + "\"computer_name\":\"EX01.contoso.local\",\"record_id\":\(record),\"event_data\":{\"CommandLine\":\"cmd /c whoami \(record)\"}}}"
        }
        let rows = [row("Security", "Microsoft-Windows-Security-Auditing", 4688, 1),
                    row("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 1, 2),
                    row("Security", "Microsoft-Windows-Security-Auditing", 4688, 3),
                    row("System", "Service Control Manager", 7045, 4),
                    row(nil, "Microsoft-Windows-Security-Auditing", 4688, 5)]
        Fixtures.write(rows.joined(separator: "\n") + "\n", "EX01/winlogbeat.ndjson", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(store.files.map(\.channel) == ["Security", "Microsoft-Windows-Sysmon/Operational", "System"])
        #expect(store.files.map(\.eventCount) == [3, 1, 1], "the row naming no channel goes with Security")
        #expect(store.files.allSatisfy { $0.server == "EX01" && $0.kind == .eventLog })
        #expect(report.filesAdded == 1 && Set(store.files.map(\.sha256)).count == 1)
        #expect(store.rawLine(2).contains("cmd /c whoami 5") && store.rawLine(3).contains("cmd /c whoami 2"), "Security's share first")
    }

    @Test func splunkExportsWithXMLAndClassicRaw() throws {
        let xml = try Self.xmlEvents()
        let (store, _) = try Self.load("splunk.jsonl")
        #expect(store.count == 2)
        #expect(Self.dict(store, 0) == xml[0], "XmlWinEventLog _raw reads as the event XML")
        let classic = Self.dict(store, 1)
        #expect(classic["Provider"] == "MSExchange Unified Messaging")
        #expect(classic["EventID"] == "1141")
        #expect(classic["Level"] == "2")
        #expect(classic["Channel"] == "Application")
        #expect(store.field("Message", of: 1)?.contains("System.InvalidCastException") == true)
        #expect(store.time[1] == Timestamp.parse("2021-03-03T04:11:24.000Z"), "_time with its +01:00 offset")
    }

    /// Splunk results whose `_raw` is an IIS or HttpProxy line (reviewer: such exports ended 'no findings', each
    /// result a record): read as those logs' events, beside event XML in the same export, filed under `host`.
    @Test func splunkRawWebLinesAreWebLogEvents() throws {
        let (store, report) = try Self.load("splunk-web.jsonl")
        #expect(report.filesAdded == 1)
        let kinds = store.files.map { "\($0.kind)/\($0.channel)/\($0.eventCount)" }
        #expect(kinds == ["iis/W3SVC1/2", "eventlog/Microsoft-Windows-Sysmon/Operational/1", "httpproxy/Owa/1", "json/W3SVC1/1"])
        #expect(store.files.allSatisfy { $0.server == "EX01" }, "host names the server; the syslog row names none of ours")
        #expect((0..<store.count).map { store.line(of: $0) } == [1, 4, 2, 3, 5], "each event cites the export's line")
        #expect(store.value(.urlStem, 0) == "/owa/auth/RedirSuiteServerProxy.aspx")
        #expect(store.value(.clientIP, 0) == "139.162.202.236")
        #expect(store.field("cs-uri-query", of: 1)?.hasPrefix("dir=C%3A%5C&cmd=dsquery") == true)
        #expect(Timestamp.iso(store.time[1]) == "2022-10-06T18:51:06.000Z", "the line's own date and time")
        #expect(store.value(.anchorMailbox, 3) == "ServerInfo~localhost/ecp/default.flt?")
        #expect(store.value(.status, 3) == "500")
        let problems = store.files[0].problems.kept.map(\.message)
        #expect(problems.contains { $0.hasPrefix("line 1:") && $0.contains("IIS's default W3C field set") })
        #expect(problems.contains { $0.hasPrefix("line 3:") && $0.contains("HttpProxy") })
        #expect(problems.contains { $0.hasPrefix("line 5:") && $0.contains("without an event id (kept as a record)") })
    }

    @Test func gzipIsReadInPlaceAndHashedAsStored() throws {
        let (store, _) = try Self.load("nxlog.jsonl.gz")
        let raw = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("json/nxlog.jsonl.gz")))
        #expect(store.files[0].size == raw.count)
        #expect(store.files[0].sha256 == SHA256.hex([UInt8](raw)))
        #expect(store.files[0].facts["gzip.inflated"] != nil)
        #expect(store.count == 2)
    }

    @Test func aCutOffGzipKeepsWhatInflated() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("json/nxlog.jsonl.gz"))))
        Fixtures.write(Array(raw.prefix(raw.count - 200)), "EX01/events.jsonl.gz", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].messages.contains { $0.hasPrefix("gzip: file cut off") })
        #expect(store.count >= 1, "the first event inflated before the cut")
    }

    /// gzip output is taken from the load's inflate budget, which zips share (`--max-inflate`): a few megabytes of
    /// `.gz` bombs took 9.7 GB before. What inflated within the budget is loaded, and the problem says why it stopped.
    @Test func gzipInflatesWithinTheLoadsBudget() throws {
        let store = EventStore()
        var loader = EvidenceLoader()
        loader.maxInflate = 1000
        _ = try loader.load(Fixtures.path("json/nxlog.jsonl.gz"), into: store)
        #expect(store.files[0].messages.contains { $0.hasPrefix("gzip: inflates beyond the load's inflate budget (1000 bytes") }, "\(store.files[0].messages)")
        #expect(store.files[0].facts["gzip.inflated"].flatMap(Int.init).map { $0 <= 1000 } == true)
        let whole = EventStore()
        _ = try EvidenceLoader().load(Fixtures.path("json/nxlog.jsonl.gz"), into: whole)
        #expect(whole.files[0].facts["gzip.inflated"] == "2262")
    }

    @Test func truncatedJSONKeepsTheEventsBeforeAndTheRestAsText() throws {
        let lines = try String(contentsOfFile: Fixtures.path("json/winlogbeat.jsonl"), encoding: .utf8).split(separator: "\n")
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(lines[0] + "\n" + lines[1].prefix(300), "EX01/sysmon.jsonl", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 2)
        #expect(store.field("Image", of: 0) == "C:\\Windows\\System32\\cmd.exe")
        #expect(store.files[0].messages == ["line 2: JSON cut off at the end of the file; kept as text"])
        #expect(store.rawLine(1).hasPrefix("{\"@timestamp\""), "the cut-off object is kept as its text")
    }

    @Test func aTruncatedArrayKeepsItsCompleteElements() throws {
        let text = try String(contentsOfFile: Fixtures.path("json/powershell.json"), encoding: .utf8)
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Cut inside the second element.
        let cut = try #require(text.range(of: "MSExchange Unified Messaging")).lowerBound
        Fixtures.write(String(text[..<cut]), "EX01/events.json", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.field("Image", of: 0) == "C:\\Windows\\System32\\cmd.exe")
        #expect(store.files[0].messages.contains { $0.contains("JSON cut off at the end of the file") })
    }

    /// PowerShell's positional values of a known event whose count no template version has stay Data1…, and the
    /// file says so (rules reading the named fields would miss the event without a word); a known count is named.
    @Test func positionalValuesThatCannotBeNamedAreReported() throws {
        func event(_ values: [String]) -> String {
            let props = values.map { "{\"Value\":\"\($0)\"}" }.joined(separator: ",")
            return "{\"Id\":4688,\"ProviderName\":\"Microsoft-Windows-Security-Auditing\",\"LogName\":\"Security\",\"MachineName\":\"EX01\","
                + "\"TimeCreated\":\"2021-03-03T07:05:40.512Z\",\"Properties\":[\(props)]}"
        }
        let nine = ["S-1-5-18", "EX01$", "CONTOSO", "0x3e7", "0x1a4", "C:\\\\Windows\\\\System32\\\\rundll32.exe", "%%1936", "0x2f0", "rundll32.exe comsvcs.dll, MiniDump 624 lsass.dmp full"]
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write("[" + event(nine) + ",\n" + event(["EX01$", "rundll32.exe", "rundll32.exe comsvcs.dll, MiniDump 624", "cmd.exe"]) + "]\n", "EX01/security.json", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 2)
        #expect(store.field("CommandLine", of: 0) == "rundll32.exe comsvcs.dll, MiniDump 624 lsass.dmp full")
        #expect(store.field("Data3", of: 1) == "rundll32.exe comsvcs.dll, MiniDump 624")
        #expect(store.files[0].messages == ["line 2: Microsoft-Windows-Security-Auditing 4688 with 4 positional values: no names for that count in "
                                             + "mappings/event-data-names.tsv; kept as Data1…Data4, unseen by rules that read its named fields"],
                "\(store.files[0].messages)")
    }

    /// NXLog's `EventTime` is the agent's local time when no `TimeCreated` or `@timestamp` gives the moment:
    /// said as a problem, and made UTC by `--local-time` like file listings' local columns.
    @Test func nxlogEventTimeWithoutAZoneIsLocalTime() throws {
        let line = #"{"EventTime":"2021-03-04 14:05:00","Hostname":"EX18.contoso.local","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","RecordNumber":7,"SourceModuleType":"im_msvistalog","Image":"C:\\Windows\\System32\\whoami.exe"}"#
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(line + "\n", "EX18/nxlog.json", in: dir)
        let (plain, _) = try Fixtures.load(dir.path)
        #expect(plain.time[0] == Timestamp.parse("2021-03-04T14:05:00Z"))
        #expect(plain.files[0].messages.contains { $0.hasPrefix("EventTime is the collecting machine's local time, with no zone: read as UTC") })
        let store = EventStore()
        var loader = EvidenceLoader()
        loader.localTimeZone = TimeZone(identifier: "Europe/Oslo")
        _ = try loader.load(dir.path, into: store)
        #expect(store.time[0] == Timestamp.parse("2021-03-04T13:05:00Z"))
        #expect(store.files[0].messages.isEmpty)
    }

    @Test func aLineThatIsNoEventIsKeptAndReported() throws {
        let first = try String(contentsOfFile: Fixtures.path("json/nxlog.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(first + "\n{\"status\":\"ok\",\"count\":3}\nplain words, no JSON\n[1,2]\n", "EX01/mixed.jsonl", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 5)
        #expect(store.files[0].messages == [
            "line 2: JSON object of no known event shape (kept as a record)",
            "line 3: not JSON (unexpected character); kept as text",
            "line 4: JSON value that is no object (kept as a record)",
            "line 4: JSON value that is no object (kept as a record)",
        ])
        #expect(store.field("status", of: 1) == "ok")
        #expect(store.rawLine(2) == "plain words, no JSON")
    }

    @Test func mixedShapesInOneFileAreEachReadByTheirOwnKeys() throws {
        func line(_ name: String, _ k: Int) throws -> Substring {
            try String(contentsOfFile: Fixtures.path("json/" + name), encoding: .utf8).split(separator: "\n")[k]
        }
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = [try line("nxlog.jsonl", 0), try line("velociraptor.jsonl", 1), try line("winlogbeat.jsonl", 1)].joined(separator: "\n")
        Fixtures.write(text + "\n", "EX01/mixed.jsonl", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].problems.total == 0)
        #expect((0..<3).map { store.field("EventID", of: $0) } == ["1", "1141", "1141"])
        #expect(store.files[0].facts["json.shapes"] == "nxlog,velociraptor,winlogbeat")
    }

    @Test func jsonOfNoKnownShapeIsLeftToTheTextReader() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write("{\"name\":\"package\",\"version\":\"1.0\"}\n", "EX01/package.json", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].kind == .text)
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try String(contentsOfFile: Fixtures.path("json/nxlog.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        Fixtures.write(first + "\n" + String(repeating: "[", count: 100_000) + "\n", "EX01/deep.jsonl", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].messages.contains { $0.contains("nested deeper than 64 levels") })
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// Matching on a small evidence set (`Fixtures/IOC/evidence`): IIS and HttpProxy logs of two servers,
/// a web-folder listing with hashes, and a text note, each with true hits and their false friends.
@Suite struct IOCMatcherTests {
    static let store: EventStore = {
        let s = EventStore()
        let readers: [any EvidenceReader] = [ListingReader()] + ReaderRegistry.standard
        _ = try? EvidenceLoader(readers: readers, workers: 1).load(IOCFixtures.path("evidence"), into: s)
        return s
    }()

    /// Stands in for the file-listing reader (another part of exhunt): `Get-ChildItem | Export-Csv` output
    /// with its own column names, which is all the named-field hook relies on.
    struct ListingReader: EvidenceReader {
        var name: String { "test-listing" }
        var readsText: Bool { true }
        func score(path: String, head: UnsafeRawBufferPointer) -> Int { path.contains("listings/") ? 100 : 0 }
        func read(_ input: ReaderInput, into out: inout ReaderOutput) {
            out.kind = SourceKind("file-listing")
            var scanner = LineScanner(input.bytes)
            var schema: UInt16?
            while let (off, len) = scanner.next() {
                let line = UnsafeRawBufferPointer(rebasing: input.bytes[off..<(off + len)])
                if len == 0 || line[0] == UInt8(ascii: "#") { continue }
                guard let s = schema else {
                    schema = out.batch.addSchema(FieldSchema(format: .csv, names: CSVLine.split(line)))
                    continue
                }
                out.batch.append(offset: off, length: len, line: scanner.lineNumber, time: Timestamp.unknown, schema: s)
            }
        }
    }

    static let builtIn: [Indicator] = BuiltinIndicatorSets.load().sets.flatMap(\.indicators)

    func ind(_ type: IndicatorType, _ value: String) -> Indicator {
        try! IndicatorNormalizer.make(type, value, set: "test", source: "test").get()
    }

    /// "value field line" for each hit, for compact expectations.
    func describe(_ hits: [IOCHit], _ m: IOCMatcher) -> [String] {
        hits.map { h in
            let f = Self.store.files[h.file]
            return "\(m.indicators[h.indicator].value) \(h.fields.joined(separator: ",")) \(f.server):\((f.path as NSString).lastPathComponent):\(h.line)"
        }
    }

    @Test func evidenceLoaded() {
        #expect(Self.store.files.count == 7)
        #expect(Self.store.count > 15)
    }

    @Test func ipMatchesWholeAddressesOnly() {
        let m = IOCMatcher(indicators: [ind(.ip, "103.77.192.219"), ind(.ip, "5.2.69.14"), ind(.ip, "103.77.192.21"),
                                         ind(.ip, "139.162.202.236")])
        let hits = describe(m.match(Self.store), m)
        #expect(hits.contains("103.77.192.219 client_ip EX01:u_ex210303.log:5"))
        #expect(hits.contains("103.77.192.21 client_ip EX01:u_ex210303.log:6"))
        // 103.77.192.21 is a prefix of 103.77.192.219; 5.2.69.14 of 15.2.69.145: neither may match the other.
        #expect(!hits.contains("103.77.192.21 client_ip EX01:u_ex210303.log:5"))
        #expect(!hits.contains("103.77.192.219 client_ip EX01:u_ex210303.log:6"))
        #expect(hits.filter { $0.hasPrefix("5.2.69.14 ") } == ["5.2.69.14 client_ip EX01:u_ex210303.log:8"])
        // X-Forwarded-For lists (IIS writes `10.0.0.1,+139.162.202.236`); 139.162.202.23 is not a hit. Behind the
        // internal c-ip 10.0.0.1 the list's outside address is the client too (`ForwardedFor`): one hit, both fields.
        #expect(hits.filter { $0.hasPrefix("139.162.202.236 ") } == ["139.162.202.236 client_ip,cs(X-Forwarded-For) EX02:u_ex210305.log:5"])
    }

    @Test func userAgentsInBothSpellingsAndCaseSensitive() {
        let volexity = "Mozilla/5.0+(X11;+Linux+x86_64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/51.0.2704.103+Safari/537.36"
        let m = IOCMatcher(indicators: [ind(.ua, volexity), ind(.ua, "Mozilla/5.0+(compatible;+Bingbot/2.0;++http://www.bing.com/bingbot.htm)"),
                                         ind(.ua, "antSword/v2.1"), ind(.ua, "ExchangeServicesClient/0.0.0.0")])
        let hits = describe(m.match(Self.store), m)
        // IIS `+` spelling and HttpProxy's spaces with the comma dropped both match; Chrome/51.0.2704.1030 does not.
        #expect(Set(hits.filter { $0.hasPrefix(volexity) }) == [
            "\(volexity) user_agent EX01:u_ex210303.log:8",
            "\(volexity) user_agent EX01:HttpProxy_2021030306-1.LOG:7",
        ])
        // The real crawler writes `bingbot`; Volexity's string has `Bingbot`.
        #expect(!hits.contains { $0.hasPrefix("Mozilla/5.0+(compatible;+Bingbot") })
        // A whole-value comparison: antSword/v2.10 is not antSword/v2.1.
        #expect(hits.filter { $0.hasPrefix("antSword/") } == ["antSword/v2.1 user_agent EX01:u_ex210303.log:10"])
        #expect(hits.filter { $0.hasPrefix("ExchangeServicesClient/") }.count == 2)
    }

    @Test func pathsAndNamesIgnoreCaseAndSeparators() {
        let m = IOCMatcher(indicators: [
            ind(.path, #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#),
            ind(.path, #"owa\auth\Current\themes\errorFS.aspx"#),
            ind(.path, #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx"#),
            ind(.name, "shell.aspx"), ind(.name, "one.aspx"), ind(.name, "RedirSuiteServerProxy.aspx"),
            ind(.path, #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\"#),
        ])
        let hits = describe(m.match(Self.store), m)
        #expect(hits.contains(#"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx url_stem EX01:u_ex210303.log:10"#))
        #expect(hits.contains(#"owa\auth\Current\themes\errorFS.aspx url_stem EX01:u_ex210303.log:9"#))
        #expect(hits.contains(#"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx FullName EX01:webfolders.csv:4"#))
        // Exchange installed on D:\Exchange: the path matches from \FrontEnd\HttpProxy\ on.
        #expect(hits.contains(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx FullName EX01:webfolders.csv:5"#))
        #expect(hits.contains("one.aspx url_stem EX01:u_ex210303.log:13"))
        #expect(hits.contains("RedirSuiteServerProxy.aspx url_stem EX02:u_ex210305.log:5"))
        // `myshell.aspx` is not `shell.aspx`; a folder indicator matches nothing on its own.
        #expect(!hits.contains { $0.hasPrefix("shell.aspx") })
        #expect(!hits.contains { $0.hasPrefix(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\ "#) })
    }

    /// A domain is found in the anchor mailbox, in a command line's e-mail address and in a Sysmon network
    /// event's host name, subdomains included; a DNS query for a longer name that only starts with it is not.
    @Test func domainsInHostFieldsWithSubdomainsButNotLookalikes() {
        let m = IOCMatcher(indicators: [ind(.domain, "krebsonsecurity.top")])
        let hits = describe(m.match(Self.store), m)
        #expect(hits.sorted() == [
            "krebsonsecurity.top CommandLine EX01:processes.csv:4",
            "krebsonsecurity.top DestinationHostname EX02:sysmon-network.json:1",
            "krebsonsecurity.top anchor_mailbox EX01:HttpProxy_2021030306-1.LOG:7",
        ])
    }

    @Test func hashesInListingsAndCollectedFiles() {
        let shell = "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"
        let note = "6dcf5e6c5572a2545e76aceebf3e491357f398428eb29ed449c4d8c3e4c2740d"
        let m = IOCMatcher(indicators: [ind(.hash, shell), ind(.hash, note)])
        let hits = describe(m.match(Self.store), m)
        // Upper-case in the listing matches; the 65-digit value on the logon.aspx row does not.
        #expect(hits.contains("\(shell) SHA256 EX01:webfolders.csv:4"))
        #expect(hits.filter { $0.hasPrefix(shell) }.count == 1)
        #expect(hits.contains("\(note) file.sha256 EX01:ticket.txt:0"))
    }

    @Test func commandLinesAndSysmonHashes() {
        let m = IOCMatcher(indicators: [ind(.path, #"C:\ProgramData\it.zip"#), ind(.hash, "4b3039cf227c611c45d2242d1228a121")])
        let hits = describe(m.match(Self.store), m)
        // `it.zip` inside a command line counts; `it.zip.bak` and a 33-digit hex run do not.
        #expect(hits == [
            #"C:\ProgramData\it.zip CommandLine EX01:processes.csv:2"#,
            "4b3039cf227c611c45d2242d1228a121 Hashes EX01:processes.csv:2",
        ])
    }

    @Test func rawModeFindsIndicatorsInUnmodelledTextWithLines() {
        let m = IOCMatcher(indicators: [ind(.ip, "104.250.191.110"),
                                         ind(.path, #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx"#),
                                         ind(.ua, "python-requests/2.25.1")])
        let raw = m.matchRaw(Self.store)
        let hits = describe(raw, m)
        #expect(hits.contains("104.250.191.110 raw EX01:ticket.txt:2"))
        #expect(hits.filter { $0.hasPrefix("104.250.191.110") }.count == 1)  // not 1104.250.191.1100
        #expect(hits.contains(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx raw EX01:ticket.txt:3"#))
        #expect(hits.contains(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx raw EX01:webfolders.csv:5"#))
        // Escaped backslashes (JSON, rendered event records) are found too.
        #expect(hits.contains(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx raw EX01:ticket.txt:5"#))
        // A raw hit on a line that is an event carries the event and its time.
        let ua = raw.first { m.indicators[$0.indicator].type == .ua }
        #expect(ua?.event != nil && ua?.time != Timestamp.unknown)
    }

    @Test func serverAndTimeFilters() {
        let m = IOCMatcher(indicators: [ind(.ip, "103.77.192.219"), ind(.ip, "139.162.202.236")])
        #expect(m.match(Self.store, filter: IOCFilter(servers: ["ex02"])).allSatisfy { Self.store.files[$0.file].server == "EX02" })
        let from = Timestamp.parse("2021-03-04T00:00:00Z")!
        let late = m.match(Self.store, filter: IOCFilter(from: from))
        #expect(late.count == 1 && m.indicators[late[0].indicator].value == "139.162.202.236")
    }

    @Test func builtInSetsOnTheFixturesFindOnlyTheAttacker() {
        let m = IOCMatcher(indicators: Self.builtIn)
        let hits = m.match(Self.store)
        let found = Set(hits.map { m.indicators[$0.indicator].value })
        #expect(found.contains("103.77.192.219"))
        #expect(found.contains("python-requests/2.25.1"))
        #expect(found.contains("130.255.189.21"))
        // Benign lines (logon.aspx, real browsers, 203.0.113.x) never appear in a hit.
        let benignLines: Set<Int> = [12]
        #expect(!hits.contains { Self.store.files[$0.file].path.hasSuffix("u_ex210303.log") && benignLines.contains($0.line) })
        let summary = IOCSummary.summarize(hits, store: Self.store)
        let ip = summary.first { m.indicators[$0.indicator].value == "103.77.192.219" }
        #expect(ip?.events == 1 && ip?.servers == ["EX01"])
        #expect(ip?.first == Timestamp.parse("2021-03-03T06:49:42Z"))
    }

    /// A listing row matching under `FullName` and as its URL stem is one hit naming both fields, and the
    /// summary counts it once; hits without an event stay apart per file line.
    @Test func hitsAreOnePerIndicatorAndEvent() {
        let t = Timestamp.parse("2021-03-03T06:50:01Z")!
        let raw = [
            IOCHit(indicator: 0, event: 7, file: 1, line: 4, field: "url_stem", time: t),
            IOCHit(indicator: 0, event: 7, file: 1, line: 4, field: "FullName", time: t),
            IOCHit(indicator: 1, event: 7, file: 1, line: 4, field: "FullName", time: t),
            IOCHit(indicator: 0, event: 9, file: 2, line: 1, field: "url_stem", time: Timestamp.unknown),
            IOCHit(indicator: 0, event: 9, file: 2, line: 1, field: "file.sha256", time: t),
            IOCHit(indicator: 0, event: nil, file: 3, line: 2, field: "raw", time: Timestamp.unknown),
            IOCHit(indicator: 0, event: nil, file: 3, line: 5, field: "raw", time: Timestamp.unknown),
        ]
        let merged = IOCHit.merged(raw)
        #expect(merged.map { "\($0.indicator) \($0.event ?? -1) \($0.fields.joined(separator: ","))" } == [
            "0 -1 raw", "0 -1 raw", "0 7 FullName,url_stem", "1 7 FullName", "0 9 file.sha256,url_stem",
        ])
        #expect(merged[4].time == t)   // the file's time when the event has none
        let summary = IOCSummary.summarize(merged.filter { $0.file != 3 }, store: Self.store)
        #expect(summary.map(\.events) == [2, 1])
        #expect(summary[0].fields == ["FullName", "file.sha256", "url_stem"])
    }

    @Test func ipTokensAreWholeDottedQuads() {
        let index = IPv4Index([ind(.ip, "1.2.3.4")])
        func found(_ text: String) -> [String] {
            var out: [String] = []
            Array(text.utf8).withUnsafeBytes { b in
                IPv4Tokens.find(in: b, index: index) { s, e, _ in out.append(String(decoding: b[s..<e], as: UTF8.self)) }
            }
            return out
        }
        #expect(found("c-ip 1.2.3.4 ok") == ["1.2.3.4"])
        #expect(found("10.0.0.1,+1.2.3.4") == ["1.2.3.4"])
        #expect(found("[::ffff:1.2.3.4]:443") == ["1.2.3.4"])
        #expect(found("11.2.3.45 1.2.3.40 1.2.3.4.5 01.2.3.4x 1.2.3.456").count == 1)  // only 01.2.3.4 (leading zero)
        #expect(IPv4Tokens.number("256.1.1.1") == nil && IPv4Tokens.number("1.2.3") == nil)
    }

    /// A CIDR block matches every address in it, in fields and in raw text, and nothing next to it; a block and
    /// a single address of it both report their hit.
    @Test func cidrBlocksMatchTheAddressesInThem() {
        let m = IOCMatcher(indicators: [ind(.ip, "103.77.192.0/24"), ind(.ip, "103.77.192.219"), ind(.ip, "139.162.0.0/16"),
                                         ind(.ip, "104.250.191.110/32")])
        #expect(m.indicators.map(\.normalized) == ["103.77.192.0/24", "103.77.192.219", "139.162.0.0/16", "104.250.191.110"])
        let hits = describe(m.match(Self.store), m)
        #expect(hits.contains("103.77.192.0/24 client_ip EX01:u_ex210303.log:5"))   // .219
        #expect(hits.contains("103.77.192.0/24 client_ip EX01:u_ex210303.log:6"))   // .21
        #expect(hits.contains("103.77.192.219 client_ip EX01:u_ex210303.log:5"))
        #expect(hits.contains("139.162.0.0/16 client_ip,cs(X-Forwarded-For) EX02:u_ex210305.log:5"))
        // 5.2.69.14 and 15.2.69.145 share no block listed here.
        #expect(!hits.contains { $0.contains("u_ex210303.log:8") })
        let raw = describe(m.matchRaw(Self.store), m)
        #expect(raw.contains("104.250.191.110/32 raw EX01:ticket.txt:2"))
        #expect(!raw.contains { $0.hasPrefix("103.77.192.0/24") && $0.contains("ticket.txt") })
    }

    @Test func cidrBlocksAreNormalisedAndBoundedInWidth() {
        func normalized(_ v: String) -> String {
            switch IndicatorNormalizer.normalize(.ip, v) { case .success(let n): n; case .failure(let r): "rejected: \(r)" }
        }
        #expect(normalized("10.1.2.3/8") == "10.0.0.0/8")
        #expect(normalized("198.51.100[.]7/32") == "rejected: not an IPv4 address or CIDR block: '198.51.100[.]7/32' (blocks look like 198.51.100.0/24)")
        #expect(normalized(IndicatorNormalizer.refang("198.51.100[.]7/32")) == "198.51.100.7")
        #expect(normalized("0.0.0.0/0").hasPrefix("rejected: CIDR block '0.0.0.0/0' is wider than /8"))
        #expect(normalized("10.0.0.0/33").hasPrefix("rejected: not an IPv4 address or CIDR block"))
        #expect(normalized("10.0.0.0/").hasPrefix("rejected: not an IPv4 address or CIDR block"))
        #expect(IndicatorNormalizer.detectType("198.51.100.0/24") == .ip)
        // The same block in raw text is an address followed by a length, not an address of the block.
        #expect(IPv4Index([ind(.ip, "10.0.0.0/8")]).lookup(IPv4Tokens.number("10.255.1.2")!) == [0])
        #expect(IPv4Index([ind(.ip, "10.0.0.0/8")]).lookup(IPv4Tokens.number("11.0.0.1")!) == nil)
    }

    /// A list of a hundred thousand addresses matches like a short one (its speed is the benchmark's to show:
    /// timed tests fail on a busy machine and prove nothing on an idle one).
    @Test func aHundredThousandAddressesMatch() {
        var list: [Indicator] = []
        for i in 0..<100_000 { list.append(ind(.ip, "10.\(i / 65536).\((i / 256) % 256).\(i % 256)")) }
        list.append(ind(.ip, "139.162.202.236"))
        let m = IOCMatcher(indicators: list)
        let hits = m.match(Self.store) + m.matchRaw(Self.store)
        #expect(hits.contains { m.indicators[$0.indicator].value == "139.162.202.236" })
        // The fixtures' 10.0.0.1 proxy address is in the generated range.
        #expect(hits.contains { m.indicators[$0.indicator].value == "10.0.0.1" })
    }

    /// A fleet's merged JSON export is one file read once but filed as one store file per server: a raw hit is
    /// reported once, on the server whose row holds it, not on every server the file was split into.
    @Test func rawHitsInASplitFileGoToTheRowsServer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-rawsplit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rows = [("EXA", "203.0.113.77"), ("EXB", "10.2.2.2"), ("EXC", "10.3.3.3"), ("EXA", "10.1.1.1")].enumerated().map { i, r in
            "{\"EventID\": 4624, \"Channel\": \"Security\", \"Hostname\": \"\(r.0).contoso.local\", "
                + "\"TimeCreated\": \"2021-03-03T07:0\(i):00Z\", \"IpAddress\": \"\(r.1)\"}"
        }
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("fleet.json"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        #expect(store.files.count == 3 && store.filesAsRead.count == 1)
        let m = IOCMatcher(indicators: [ind(.ip, "203.0.113.77"), ind(.ip, "10.3.3.3")])
        let hits = m.matchRaw(store).map { h in "\(m.indicators[h.indicator].value) \(store.files[h.file].server):\(h.line) \(h.event != nil)" }
        #expect(hits == ["203.0.113.77 EXA:1 true", "10.3.3.3 EXC:3 true"])
    }

    /// A Timesketch timeline loaded as evidence (plaso's, or exhunt's own `export timeline`) models no fields:
    /// its `message` is searched as a raw line is, with IPs and hashes as whole tokens.
    @Test func timelineMessagesAreSearched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tsmsg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let messages = [#"POST /owa/auth/Current/themes/resources/logon.css 200 from 1.2.3.4 \"antSword/v2.1\""#,
                        #"GET /owa/ 200 from 11.2.3.45 \"antSword/v2.10\""#,
                        #"file C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx sha256 b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"#]
        let rows = messages.enumerated().map { i, m in
            "{\"message\": \"\(m)\", \"datetime\": \"2021-03-03T07:0\(i):00+00:00\", \"timestamp_desc\": \"Request time\", \"server\": \"EX09\"}"
        }
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.jsonl"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        let m = IOCMatcher(indicators: [ind(.ip, "1.2.3.4"), ind(.ua, "antSword/v2.1"), ind(.name, "shell.aspx"),
                                        ind(.hash, "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0")])
        let hits = m.match(store).map { h in "\(m.indicators[h.indicator].value) \(h.fields.joined(separator: ",")) \(store.line(of: h.event!))" }
        #expect(hits.sorted() == ["1.2.3.4 message 1", "antSword/v2.1 message 1",
                                  "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0 message 3", "shell.aspx message 3"])
    }

    /// Test-ProxyLogon's ResetVDir rows are rows of its 26855 CSV too (`Fixtures/IOC/test-proxylogon`): an indicator
    /// in the reset request is one hit, as the rules count that request once (reviewer: `grep-ioc helsecert` gave 4
    /// events and `200×3,241×1` for three requests, the ResetVDir row as a hit of its own).
    @Test func testProxyLogonsResetVDirRowsAreNotCountedTwice() throws {
        let s = EventStore()
        _ = try EvidenceLoader(workers: 1).load(IOCFixtures.path("test-proxylogon"), into: s)
        #expect(s.files.map(\.kind).sorted() == [.flaggedRequest, .httpProxy])
        let m = IOCMatcher(indicators: [ind(.ip, "130.255.189.21")])
        for hits in [m.match(s), m.matchRaw(s)] {
            #expect(hits.count == 3)
            #expect(hits.allSatisfy { s.files[$0.file].path.hasSuffix("-Cve-2021-26855.csv") })
        }
        #expect(IOCSummary.summarize(m.match(s), store: s).map(\.events) == [3])
    }
}

@testable import ExchangeDetection
import Testing

@Suite struct IndicatorLoaderTests {
    @Test func stixExampleFromTheSchemaRepository() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("stix-c2-ip.json"))
        #expect(r.format == .stix)
        #expect(r.problems.isEmpty)
        #expect(r.set.name == "stix-c2-ip")
        let i = try! #require(r.set.indicators.first)
        #expect(r.set.indicators.count == 1)
        #expect(i.type == .ip && i.value == "10.0.0.0")
        #expect(i.validFrom == "2014-05-08T09:00:00.000000Z")
        #expect(i.date == "2014-05-08")
        #expect(i.note.contains("IP Address for known C2 channel"))
        #expect(i.note.contains("indicator--33fe3b22-0201-47cf-85d0-97c02164528d"))
    }

    @Test func stixPatternsOfEachSupportedKind() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("stix-proxylogon.json"), setName: "bundle")
        let byValue = Dictionary(r.set.indicators.map { ($0.value, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byValue["7fa3abc229fd3cb9a0a6f07d9da15e35528c630d0ad5902d5422b305cae7eaa4"]?.type == .hash)
        let shell = byValue["b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"]
        #expect(shell?.validUntil == "2022-03-02T00:00:00Z")
        #expect(byValue["103.77.192.219"]?.type == .ip)
        #expect(byValue["104.140.114.110"]?.type == .ip)
        // file:name AND file:parent_directory_ref.path name one file; STIX escapes its backslashes.
        #expect(byValue[#"C:\inetpub\wwwroot\aspnet_client\xx.aspx"#]?.type == .path)
        #expect(byValue["ExchangeServicesClient/0.0.0.0"]?.type == .ua)
        #expect(byValue["krebsonsecurity.top"]?.type == .domain)
        #expect(byValue["http://brian.krebsonsecurity.top/"]?.type == .url)
        // `network-traffic:src_ref.type = 'ipv4-addr'` only qualifies the value beside it.
        #expect(byValue["5.254.43.18"]?.type == .ip)
        #expect(r.set.indicators.count == 9)

        // What cannot be matched is reported with the indicator's id and line, never skipped silently.
        let messages = r.problems.map(\.description)
        #expect(messages.contains { $0.contains("indicator--5a1e6c3d-0001-4000-8000-000000000006") && $0.contains("process:name") })
        #expect(messages.contains { $0.contains("indicator--5a1e6c3d-0001-4000-8000-000000000007") && $0.contains("yara") })
        #expect(messages.contains { $0.contains("indicator--5a1e6c3d-0001-4000-8000-000000000008") && $0.contains("IPv6") })
        #expect(messages.contains { $0.contains("indicator--5a1e6c3d-0001-4000-8000-000000000009") && $0.contains("MATCHES") })
        #expect(r.problems.allSatisfy { $0.file == "stix-proxylogon.json" && $0.line != nil })
        let process = r.problems.first { $0.message.contains("process:name") }
        #expect(process?.line == 48)  // where the object starts
    }

    /// CIDR blocks, as `ISSUBSET` (STIX 2.1's subnet operator) or written as an equality, load as IP indicators of
    /// the block; one too wide to be an indicator is reported with its id.
    @Test func stixCIDRBlocks() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("stix-cidr.json"))
        #expect(r.set.indicators.map { "\($0.type.rawValue) \($0.normalized)" } == ["ip 198.51.100.0/24", "ip 203.0.113.0/25"])
        #expect(r.problems.count == 1)
        #expect(r.problems.first.map { $0.message.contains("indicator--6c1f0a2e-0001-4000-8000-000000000003") && $0.message.contains("wider than /8") } == true)
    }

    @Test func malformedBundleLoadsTheObjectsThatCanBeRead() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("stix-malformed.json"))
        #expect(Set(r.set.indicators.map(\.value)) == ["149.28.14.163", "185.250.151.72"])
        let text = r.problems.map(\.description)
        #expect(text.contains { $0.hasPrefix("stix-malformed.json:") && $0.contains("malformed STIX bundle") })
        // The object with a missing comma starts on line 8 and the error is on line 9.
        #expect(r.problems.contains { $0.line == 9 && $0.message.contains("line 8") })
        #expect(r.problems.contains { $0.line == 11 && $0.message.contains("missing ']'") })
    }

    @Test func stixPatternParserReadsQuotedPathsEscapesAndOperators() throws {
        let p = try STIXPattern(#"[file:hashes.'SHA-256' = 'ab\'c' AND file:name IN ('a.aspx', 'b.aspx')] FOLLOWEDBY [url:value = 'x'] WITHIN 300 SECONDS"#)
        #expect(p.comparisons.map { "\($0.path) \($0.op) \($0.values.joined(separator: "|"))" } == [
            "file:hashes.sha-256 = ab'c", "file:name IN a.aspx|b.aspx", "url:value = x",
        ])
        #expect(p.comparisons.map(\.observation) == [0, 0, 1])
        #expect(p.observationsWithAnd == [0])
        #expect(p.ignored == ["FOLLOWEDBY", "WITHIN", "SECONDS"])
        #expect(throws: (any Error).self) { try STIXPattern("[ipv4-addr:value = '1.2.3.4'") }
        #expect(throws: (any Error).self) { try STIXPattern("ipv4-addr:value = '1.2.3.4'") }
    }

    @Test func msticCSVRowsAndBadRows() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("mstic-rows.csv"))
        #expect(r.format == .msticCSV)
        let values = r.set.indicators.map(\.value)
        #expect(values == [
            "8e90ed33c7ee82c0b64078ea36ec95f7420ba435c693b3b3dd728b494abf7dfc",
            "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0",
            #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx"#,
            #"C:\inetpub\wwwroot\aspnet_client\shell.aspx"#,  // listed twice in the feed, kept once
            "krebsonsecurity.top",
        ])
        let first = r.set.indicators[0]
        #expect(first.date == "2021-03-10" && first.note.contains("first seen 2021-03-05T10:07:29.0421232Z"))
        #expect(r.set.indicators[2].type == .path)
        #expect(r.set.indicators[4].type == .domain)
        let lines = r.problems.map { "\($0.line ?? 0): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("8: row has 3 fields, header has 5") })
        #expect(lines.contains { $0.hasPrefix("9: unknown hash length 62") })
        #expect(lines.contains { $0.hasPrefix("10: unknown IndicatorType 'threatactor'") })
    }

    @Test func msticCSVWithoutTheTypeColumnSaysWhich() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("mstic-missing-columns.csv"))
        #expect(r.set.indicators.isEmpty)
        #expect(r.problems.first?.description == "mstic-missing-columns.csv:1: missing column(s) IndicatorType in header; expected DateAdded,FirstSeen,Indicator,IndicatorType,TLP")
    }

    @Test func msticJSONLinesWithMD5AndSHA1() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("mstic-feed.jsonl"))
        #expect(r.format == .msticJSON)
        let values = r.set.indicators.map(\.value)
        #expect(values.contains("4ef04cba6bec2c3a164b9b755efbeb1c"))
        #expect(values.contains("49644cbbb9d234bd4f7a47ed596c8bbfefd39065"))
        #expect(values.contains(#"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx"#))
        #expect(r.set.indicators.count == 4)
        #expect(r.problems.count == 1 && r.problems[0].line == 3)
    }

    @Test func msticJSONArray() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("mstic-feed.json"))
        #expect(r.format == .msticJSON && r.problems.isEmpty)
        #expect(r.set.indicators.map(\.type) == [.hash, .hash, .hash, .path, .domain])
        #expect(r.set.indicators.last?.value == "krebsonsecurity.top")  // refanged
        #expect(r.set.indicators[1].note == "FileMd5 of 8e90ed33c7ee82c0b64078ea36ec95f7420ba435c693b3b3dd728b494abf7dfc")
    }

    @Test func mispEventAttributesAndObjects() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("misp-event.json"), setName: "cisa-misp")
        #expect(r.format == .misp)
        let pairs = Set(r.set.indicators.map { "\($0.type.rawValue) \($0.value)" })
        #expect(pairs == [
            "ip 103.77.192.219", "ip 86.105.18.116", "ua python-requests/2.25.1", "name supp0rt.aspx",
            "hash b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0",
            #"path C:\inetpub\wwwroot\aspnet_client\discover.aspx"#, "hash 4b3039cf227c611c45d2242d1228a121",
        ])
        #expect(r.set.indicators.first { $0.value == "python-requests/2.25.1" }?.note.contains("to_ids false") == true)
        #expect(r.set.indicators.allSatisfy { $0.date == "2021-03-03" })
        #expect(r.problems.contains { $0.message.contains("IPv6") && $0.line == 21 })
        #expect(r.problems.contains { $0.message.contains("yara (1)") })
    }

    /// Attributes (and objects) MISP marks deleted are retractions, not indicators: left out and counted. Problems
    /// name the line of the attribute's own `"value"`, also for empty or one-letter values and PHP's `\/`.
    @Test func mispDeletedAttributesAreLeftOutAndLinesAreExact() {
        let text = """
            {"Event":{"info":"t","date":"2021-03-03","Attribute":[
            {"type":"md5","value":"4B3039CF227C611C45D2242D1228A121"},
            {"type":"ip-src","value":""},
            {"type":"url","value":"http:\\/\\/a.example\\/x", "comment":"a value"},
            {"type":"hostname","value":"a"},
            {"type":"ip-src","value":"11.2.3.45","deleted":true}
            ],"Object":[{"deleted":true,"Attribute":[{"type":"ip-dst","value":"11.2.3.46"}]}]}}
            """
        let r = IndicatorFileLoader.load(bytes: Array(text.utf8), file: "misp-small.json", setName: "m", provenance: "test")
        #expect(Set(r.set.indicators.map(\.value)) == ["4B3039CF227C611C45D2242D1228A121", "http://a.example/x"])
        #expect(r.problems.contains { $0.message.contains("2 attributes marked deleted in MISP (retracted) not loaded") })
        #expect(r.problems.contains { $0.line == 3 }, "the empty ip-src: \(r.problems.map(\.description))")
        #expect(r.problems.contains { $0.line == 5 }, "the one-letter hostname: \(r.problems.map(\.description))")
    }

    /// A MISP event the JSON parser refuses (a missing comma, an object cut short) still yields every attribute that
    /// parses; the bad one is named with its line; a deleted object stays left out (reviewer: one bad line
    /// loaded nothing, where a STIX bundle or a feed in the same state loads the rest).
    @Test func aBrokenMISPEventLoadsTheAttributesThatParse() {
        let text = """
            {"Event": {"info": "x", "date": "2021-03-03", "Attribute": [
             {"type": "ip-src", "value": "167.99.168.251"},
             {"type": "ip-src", "value": "89.34.111.11" "category": "Network activity"},
             {"type": "domain", "value": "p.estonine.com"}
            ], "Object": [{"deleted": true, "Attribute": [{"type": "ip-dst", "value": "11.2.3.46"}]},
             {"Attribute": [{"type": "sha256", "value": "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"}]}]}}
            """
        let r = IndicatorFileLoader.load(bytes: Array(text.utf8), file: "broken.json", setName: "m", provenance: "test")
        #expect(r.set.indicators.map(\.value) == ["b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0", "167.99.168.251", "p.estonine.com"])
        let said = r.problems.map(\.description)
        #expect(said.contains { $0.hasPrefix("broken.json:3: malformed MISP event: malformed JSON") && $0.hasSuffix("reading the attributes that can be read") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("broken.json:3: MISP attribute starting on line 3: malformed JSON") }, "\(said)")
        #expect(said.contains { $0.contains("1 attribute marked deleted in MISP (retracted) not loaded") }, "\(said)")
        // Cut short: what came before the cut loads, and the cut is named where it is, not on line 1 (reviewer).
        let cut = "{\"Event\": {\"info\": \"x\", \"Attribute\": [\n {\"type\": \"ip-src\", \"value\": \"167.99.168.251\"},\n {\"type\": \"domain\", \"value\": \"p.est"
        let c = IndicatorFileLoader.load(bytes: Array(cut.utf8), file: "cut.json", setName: "c", provenance: "test")
        #expect(c.set.indicators.map(\.value) == ["167.99.168.251"])
        #expect(c.problems.first?.description.hasPrefix("cut.json:3: malformed MISP event: malformed JSON") == true, "\(c.problems.map(\.description))")
    }

    /// AND between observations asks for both at once, which separate values cannot: loaded, and said so, as AND
    /// inside one observation is.
    @Test func stixAndBetweenObservationsIsSaid() {
        let bundle = #"{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--a","#
            + #""pattern_type":"stix","pattern":"[ipv4-addr:value = '7.7.7.1'] AND [domain-name:value = 'a.example']","valid_from":"2021-03-03T00:00:00Z"}]}"#
        let r = IndicatorFileLoader.load(bytes: Array(bundle.utf8), file: "b.json", setName: "b", provenance: "test")
        #expect(Set(r.set.indicators.map(\.value)) == ["7.7.7.1", "a.example"])
        #expect(r.problems.map(\.message) == ["indicator--a: 2 observations joined with AND loaded as separate indicators (any one matches)"])
        let or = IndicatorFileLoader.load(bytes: Array(bundle.replacingOccurrences(of: "] AND [", with: "] OR [").utf8), file: "b.json",
                                          setName: "b", provenance: "test")
        #expect(or.problems.isEmpty)
    }

    @Test func plainListRefangsDetectsTypesAndReportsTheRest() {
        let r = IndicatorFileLoader.load(path: IOCFixtures.path("plain-list.txt"))
        #expect(r.format == .plain)
        let pairs = r.set.indicators.map { "\($0.type.rawValue) \($0.value)" }
        #expect(pairs == [
            "ip 103.77.192.219", "ip 104.140.114.110", "url http://krebsonsecurity.top/x",
            "url https://brian.krebsonsecurity.top/", "domain jennifer.krebsonsecurity.top",
            "hash b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0",
            "ua python-requests/2.25.1",
            "ua Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://www.baidu.com/search/spider.html)",
            #"path C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#, "name RedirSuiteServerProxy.aspx",
        ])
        #expect(r.set.indicators.first { $0.type == .hash }?.note == "HAFNIUM web shell")
        let lines = r.problems.map { "\($0.line ?? 0): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("8: unknown hash length 62") })
        #expect(lines.contains { $0.hasPrefix("9: IPv6 literal '2001:db8::1' is not supported") })
        #expect(lines.contains { $0.hasPrefix("15: cannot tell the indicator type") })
        #expect(r.problemCount == 3)
    }

    /// A quadratic loader would not finish in the time limit; elapsed seconds are not compared (the machine is shared).
    @Test(.timeLimit(.minutes(1))) func hundredThousandLineListLoadsAndCapsItsMessages() {
        var text = "# generated\n"
        for i in 0..<100_000 {
            if i % 1000 == 999 { text += "10.\(i / 65536).\((i / 256) % 256).999\n" } else {
                text += "10.\(i / 65536).\((i / 256) % 256).\(i % 256)\n"
            }
        }
        let r = IndicatorFileLoader.load(bytes: Array(text.utf8), file: "big.txt", setName: "big", provenance: "test")
        #expect(r.set.indicators.count == 99_900)
        #expect(r.problemCount == 100)
        #expect(r.problems.count == 51)  // 50 kept verbatim, then a count of the rest
        #expect(r.problems[0].description == "big.txt:1001: not an IPv4 address: '10.0.3.999'")
        #expect(r.problems.last?.message == "50 more problems not shown")
    }

    @Test func utf16ListsAndBinaryFiles() {
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "# Out-File output\r\n103.77.192[.]219\r\npython-requests/2.25.1\r\n".utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let r = IndicatorFileLoader.load(bytes: utf16, file: "list.txt", setName: "list", provenance: "test")
        #expect(r.set.indicators.map(\.value) == ["103.77.192.219", "python-requests/2.25.1"] && r.problems.isEmpty)
        let bin = IndicatorFileLoader.load(bytes: [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00], file: "x.exe",
                                           setName: "x", provenance: "test")
        #expect(bin.set.indicators.isEmpty && bin.problems.first?.description == "x.exe: binary data, not an indicator file")
        #expect(IndicatorFileLoader.load(bytes: [], file: "empty.txt", setName: "e", provenance: "test").set.indicators.isEmpty)
    }

    /// A hand-made list that repeats a value (defanged once, plain once) keeps it once and says where both are.
    @Test func repeatedValuesAreCountedWithTheFirstRepeatsLines() {
        let text = "103.77.192.219\npython-requests/2.25.1\n103.77.192[.]219\n104.140.114.110\npython-requests/2.25.1\n"
        let r = IndicatorFileLoader.load(bytes: Array(text.utf8), file: "list.txt", setName: "list", provenance: "test")
        #expect(r.set.indicators.count == 3 && r.problems.isEmpty)
        #expect(r.repeated == 2)
        #expect(r.firstRepeat == "ip 103.77.192.219 at lines 1 and 3")
        let once = IndicatorFileLoader.load(bytes: Array("103.77.192.219\n".utf8), file: "one.txt", setName: "one", provenance: "test")
        #expect(once.repeated == 0 && once.firstRepeat == nil)
    }

    /// STIX 2.1 requires valid_until after valid_from; swapped dates would make every hit read as expired.
    @Test func stixValidUntilBeforeValidFromIsReportedAndDropped() {
        let text = """
        {"type": "bundle", "id": "bundle--1", "objects": [
          {"type": "indicator", "spec_version": "2.1", "id": "indicator--11111111-0000-4000-8000-000000000001",
           "created": "2021-03-02T00:00:00Z", "modified": "2021-03-02T00:00:00Z", "pattern_type": "stix",
           "pattern": "[ipv4-addr:value = '103.77.192.219']",
           "valid_from": "2021-03-02T00:00:00Z", "valid_until": "2021-01-01T00:00:00Z"},
          {"type": "indicator", "spec_version": "2.1", "id": "indicator--11111111-0000-4000-8000-000000000002",
           "created": "2021-03-02T00:00:00Z", "modified": "2021-03-02T00:00:00Z", "pattern_type": "stix",
           "pattern": "[ipv4-addr:value = '104.140.114.110']",
           "valid_from": "2021-03-02T00:00:00Z", "valid_until": "2022-03-02T00:00:00Z"}
        ]}
        """
        let r = IndicatorFileLoader.load(bytes: Array(text.utf8), file: "b.json", setName: "b", provenance: "test")
        #expect(r.set.indicators.map { "\($0.value) [\($0.validUntil)]" } == ["103.77.192.219 []", "104.140.114.110 [2022-03-02T00:00:00Z]"])
        #expect(r.problems.map(\.description) == [
            "b.json:2: indicator--11111111-0000-4000-8000-000000000001: valid_until 2021-01-01T00:00:00Z is before valid_from "
                + "2021-03-02T00:00:00Z; loaded without valid_until",
        ])
    }

    @Test func defangedForms() {
        #expect(IndicatorNormalizer.refang("1.2.3[.]4") == "1.2.3.4")
        #expect(IndicatorNormalizer.refang("hxxp://example[.]com/a") == "http://example.com/a")
        #expect(IndicatorNormalizer.refang("hxxps[:]//example[.]com") == "https://example.com")
        #expect(IndicatorNormalizer.refang("http[://]example(.)com") == "http://example.com")
        #expect(IndicatorNormalizer.refang("example[dot]com") == "example.com")
    }

    @Test func builtInSetsLoadCleanlyWithProvenance() throws {
        let (sets, problems) = BuiltinIndicatorSets.load()
        #expect(problems.isEmpty, "\(problems)")
        let byName = Dictionary(uniqueKeysWithValues: sets.map { ($0.name, $0) })
        let feed = try #require(byName["mstic-feed"])
        let feedCounts = Dictionary(uniqueKeysWithValues: feed.countsByType.map { ($0.type, $0.count) })
        // 45 SHA-256 plus their 45 MD5 and 45 SHA-1; 104 path rows of which 5 are repeated; 3 domains.
        #expect(feedCounts[.hash] == 135)
        #expect(feedCounts[.path] == 99)
        #expect(feedCounts[.domain] == 3)
        let volexity = try #require(byName["volexity-cisa"])
        #expect(volexity.indicators.filter { $0.type == .ip }.count == 15)
        #expect(volexity.indicators.filter { $0.type == .ua }.count == 14)
        #expect(byName["mstic-blog"]?.indicators.filter { $0.type == .hash }.count == 8)
        #expect(byName["mstic-blog"]?.indicators.filter { $0.isDirectory }.count == 4)
        #expect(Set(sets.map(\.name)) == ["mstic-feed", "mstic-blog", "volexity-cisa", "mandiant-eset", "other-names", "helsecert"])
        for s in sets {
            #expect(s.builtIn && !s.provenance.isEmpty)
            #expect(s.indicators.allSatisfy { !$0.source.isEmpty }, "\(s.name)")
        }
    }
}

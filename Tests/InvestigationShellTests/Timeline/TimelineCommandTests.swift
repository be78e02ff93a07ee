import ExchangeEvidence
import Foundation
import InvestigationShell
import Testing

/// The timeline on the training set: order, messages, every filter, JSON keys and the histogram.
@Suite struct TimelineCommandTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    /// A shell in its own folder (marks create ./exhunt.case), with the training set loaded.
    static func loaded() throws -> (TestShell, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let t = TestShell()
        try t.run("load \(training)")
        try t.run("case new \(dir.appendingPathComponent("t.case").path)")
        return (t, dir)
    }

    static func rows(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// `--from -5m` with `--server` counts back from that server's newest event: EX02's logs end 18 minutes after
    /// EX01's, which left EX01's last five minutes out.
    @Test func relativeTimesCountFromTheServersOwnNewestEvent() throws {
        let (t, _) = try Self.loaded()
        let rows = try Self.rows(try t.run("timeline --server EX01 --from -5m --json"))
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0["server"] as? String == "EX01" && ($0["time"] as? String ?? "") >= "2021-03-06T00:03:18" })
    }

    @Test func allEventsOldestFirstWithTheDocumentedKeys() throws {
        let (t, _) = try Self.loaded()
        let rows = try Self.rows(try t.run("timeline --json"))
        #expect(rows.count == t.session.store.count)
        let times = rows.compactMap { $0["time"] as? String }
        #expect(times == times.sorted())
        for key in ["event", "time", "server", "source", "channel", "message", "file", "line", "mark", "findings"] {
            #expect(rows[0].keys.contains(key), "missing \(key)")
        }
    }

    /// Before a hunt the findings column is `-` for every event: said, so it does not read as "no finding" (reviewer).
    @Test func anEmptyFindingsColumnBeforeAHuntIsSaid() throws {
        let (t, _) = try Self.loaded()
        let before = try t.shown("timeline --limit 3")
        #expect(before.contains("note: the findings column fills once 'hunt' has run on this evidence"))
        try t.run("hunt")
        #expect(try !t.shown("timeline --limit 3").contains("note: the findings column"))
    }

    @Test func requestMessagesSayWhatHappened() throws {
        let (t, _) = try Self.loaded()
        let rows = try Self.rows(try t.run("timeline --json --ip 167.99.168.251 --source httpproxy/ecp --limit 1"))
        let message = try #require(rows.first?["message"] as? String)
        #expect(message.hasPrefix("POST /ecp/y.js 200 from 167.99.168.251 \"ExchangeServicesClient/0.0.0.0\""))
        #expect(message.contains("anchor ServerInfo~a]@EX01.contoso.local:444/autodiscover/autodiscover.xml"))
        let ecp = try Self.rows(try t.run("timeline --json --source ecp-server --contains script"))
        #expect(ecp.count == 1)
        #expect((ecp[0]["message"] as? String)?.hasPrefix("Set-OabVirtualDirectory.ExternalUrl='http://f/<script") == true)
    }

    @Test func filtersCombine() throws {
        let (t, _) = try Self.loaded()
        // The attack chain on 2021-03-03 06:49–07:00 from 167.99.168.251, on EX01 only.
        let chain = try Self.rows(try t.run("timeline --json --ip 167.99.168.251 --from '2021-03-03 06:49' --to '2021-03-03 07:00'"))
        #expect(!chain.isEmpty)
        #expect(chain.allSatisfy { $0["server"] as? String == "EX01" })
        #expect(chain.allSatisfy { ($0["time"] as! String) >= "2021-03-03T06:49" && ($0["time"] as! String) < "2021-03-03T07:01" })
        // An unquoted date and time work like the quoted form.
        #expect(try t.run("timeline --json --ip 167.99.168.251 --from 2021-03-03 06:49 --to 2021-03-03 07:00") ==
                t.run("timeline --json --ip 167.99.168.251 --from '2021-03-03 06:49' --to '2021-03-03 07:00'"))
        // Server and source narrow; a repeated server widens.
        let ex02 = try Self.rows(try t.run("timeline --json --server ex02 --source iis"))
        #expect(!ex02.isEmpty && ex02.allSatisfy { $0["server"] as? String == "EX02" && $0["source"] as? String == "iis" })
        let both = try Self.rows(try t.run("timeline --json --server EX01 --server EX02 --limit 0"))
        #expect(both.count == t.session.store.count)
        // Field filters on interned fields ignore case; prefixes and CIDRs select addresses.
        let agents = try Self.rows(try t.run("timeline --json --field user_agent=ANTSWORD/V2.1"))
        #expect(agents.count >= 2 && agents.allSatisfy { ($0["message"] as! String).contains("antSword/v2.1") })
        #expect(try Self.rows(try t.run("timeline --json --ip 167.99.")).count == Self.rows(try t.run("timeline --json --ip 167.99.0.0/16")).count)
        // The benign near miss 5.2.69.140 is not 5.2.69.14.
        #expect(try Self.rows(try t.run("timeline --json --ip 5.2.69.14")).allSatisfy { !($0["message"] as! String).contains("5.2.69.140") })
        // --around keeps the window around an event; --limit cuts.
        let anchor = try #require(chain.first?["event"] as? Int)
        let around = try Self.rows(try t.run("timeline --json --around \(anchor) --window 1m"))
        #expect(around.contains { $0["event"] as? Int == anchor })
        #expect(around.allSatisfy { ($0["time"] as! String) >= "2021-03-03T06:48:42" && ($0["time"] as! String) <= "2021-03-03T06:50:43" })
        #expect(try Self.rows(try t.run("timeline --json --limit 3")).count == 3)
        // Nothing matches an unknown address.
        #expect(try t.run("timeline --ip 192.0.2.99").contains("no events match"))
    }

    @Test func relativeTimesAndMistakes() throws {
        let (t, _) = try Self.loaded()
        let recent = try Self.rows(try t.run("timeline --json --from -2h"))
        let newest = try #require(Timestamp.parse((try Self.rows(try t.run("timeline --json")).last!["time"] as! String)))
        #expect(!recent.isEmpty)
        #expect(recent.allSatisfy { Timestamp.parse($0["time"] as! String)! >= newest - 7_200_000 })
        #expect(t.failure("timeline --from yesterday").contains("is not a time"))
        #expect(t.failure("timeline --field nonsense").contains("NAME=VALUE"))
        #expect(t.failure("timeline --around 99999999").contains("no event"))
        #expect(t.failure("timeline stray").contains("unexpected"))
        #expect(t.failure("timeline --server EX09").contains("servers: EX01, EX02"))
        #expect(t.failure("timeline --source nosuch").contains("kinds: "))
    }

    @Test func marksAndFindingsShowAndFilter() throws {
        let (t, _) = try Self.loaded()
        let chain = try Self.rows(try t.run("timeline --json --ip 167.99.168.251 --source httpproxy"))
        let ids = chain.prefix(3).map { $0["event"] as! Int }
        t.session.findingCitations = StubFindings([("F1", [ids[0], ids[1]]), ("F2", [ids[1]])])
        try t.run("mark \(ids[0]) as malicious --tag ssrf")
        try t.run("mark \(ids[2]) as benign")
        let marked = try Self.rows(try t.run("timeline --json --marked"))
        #expect(marked.map { $0["event"] as! Int } == [ids[0], ids[2]])
        let malicious = try Self.rows(try t.run("timeline --json --marked malicious"))
        #expect(malicious.count == 1 && (malicious[0]["mark"] as? [String: Any])?["label"] as? String == "malicious")
        let cited = try Self.rows(try t.run("timeline --json --findings"))
        #expect(cited.map { $0["event"] as! Int } == [ids[0], ids[1]])
        #expect(cited[1]["findings"] as? [String] == ["F1", "F2"])
        let text = try t.run("timeline --findings")
        #expect(text.contains("F1,F2") && text.contains("malicious"))
        // mark finding marks every event the finding cites.
        try t.run("mark finding F2 as suspicious")
        #expect(try Self.rows(try t.run("timeline --json --marked suspicious")).map { $0["event"] as! Int } == [ids[1]])
        #expect(t.failure("mark finding F9 as suspicious").contains("no finding"))
        // Several labels keep any of them, written after one --marked or each after its own (review of stop 33).
        for both in ["timeline --json --marked malicious suspicious", "timeline --json --marked malicious --marked suspicious"] {
            #expect(try Self.rows(try t.run(both)).map { $0["event"] as! Int } == [ids[0], ids[1]], "\(both)")
        }
        #expect(t.failure("timeline --marked malicious --marked odd").contains("'odd' is not a mark label"))
    }

    @Test func huntFindingsAreCitedAndMarkable() throws {
        let (t, _) = try Self.loaded()
        // Plain timeline never runs the rules; --findings does (once per load), and then every line shows them.
        #expect(t.session.findingCitations == nil)
        let cited = try Self.rows(try t.run("timeline --json --findings"))
        #expect(!cited.isEmpty && cited.allSatisfy { !($0["findings"] as! [String]).isEmpty })
        let chain = try #require(cited.first { ($0["message"] as! String).contains("/ecp/y.js") && ($0["message"] as! String).contains("167.99.168.251") })
        let ids = chain["findings"] as! [String]
        #expect(ids.allSatisfy { $0.hasPrefix("F") })
        #expect(try t.run("timeline --ip 167.99.168.251 --limit 3").contains(ids[0]))
        try t.run("mark finding \(ids[0]) as malicious --tag proxylogon")
        let marked = try Self.rows(try t.run("timeline --json --marked malicious"))
        #expect(marked.contains { $0["event"] as? Int == chain["event"] as? Int })
        let marks = try JSONSerialization.jsonObject(with: Data(try t.run("marks --json").utf8)) as! [[String: Any]]
        #expect(marks.allSatisfy { $0["finding"] as? String == ids[0] })
    }

    @Test func histogramCountsPerHourAndDay() throws {
        let (t, _) = try Self.loaded()
        let doc = try JSONSerialization.jsonObject(with: Data(try t.run("timeline --histogram --from 2021-03-03 --to 2021-03-03 --json").utf8)) as! [String: Any]
        #expect(doc["bucket"] as? String == "hour")
        let bins = doc["bins"] as! [[String: Any]]
        #expect(bins.count == 24)
        let total = bins.reduce(0) { $0 + ($1["events"] as! Int) }
        #expect(total == (try Self.rows(try t.run("timeline --json --from 2021-03-03 --to 2021-03-03"))).count)
        let days = try t.run("timeline --histogram --by day")
        #expect(days.contains("2021-03-03  ") && days.contains("#"))
    }

    @Test func hostileTextIsEscaped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-\(UUID().uuidString)/EX01")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-method cs-uri-stem c-ip cs(User-Agent) sc-status\r\n2021-03-03 06:00:00 GET /x 1.2.3.4 evil\u{1B}]0;owned\u{7} 200\r\n"
            .write(to: dir.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(dir.path)")
        let out = try t.run("timeline")
        #expect(out.contains("evil\\x1b]0;owned\\x07"))
        #expect(!out.contains("\u{1B}"))
    }

    @Test func queryIsUsableFromSwift() throws {
        let (t, _) = try Self.loaded()
        var f = TimelineFilter()
        f.servers = ["EX02"]
        let events = try TimelineQuery(f, session: t.session).events(limit: 50)
        #expect(events.count == 50)
        #expect(events.allSatisfy { t.session.store.server(of: $0) == "EX02" })
    }
}

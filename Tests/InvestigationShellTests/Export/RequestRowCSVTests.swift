import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// The fast CSV writer for plain requests against `TimelineRowWriter`: every row it writes must be the bytes the
/// general writer gives, and every row it cannot write the same way must go to the general writer.
@Suite struct RequestRowCSVTests {
    /// Writes every event of the session's store both ways and compares; returns how many rows the fast writer
    /// wrote itself.
    @discardableResult
    static func compare(_ session: Session) -> Int {
        let store = session.store
        let marks = CaseState.of(session).resolvedMarks(for: store), findings = session.findingCitations
        let general = TimelineRowWriter(store, marks: marks, findings: findings, csv: true)
        return store.pool.withStorage { pool in
            let fast = RequestRowCSV(store, general: general, marks: marks, findings: findings, pool: pool)
            var own = 0
            var a = ExportBytes(), b = ExportBytes()      // reused, as export lanes are
            for e in 0..<store.count {
                a.bytes.removeAll(keepingCapacity: true)
                b.bytes.removeAll(keepingCapacity: true)
                let wroteFast = fast.append(e, to: &a), wrote = general.append(e, to: &b)
                #expect(wroteFast == wrote, "event \(e)")
                #expect(String(decoding: a.bytes, as: UTF8.self) == String(decoding: b.bytes, as: UTF8.self), "event \(e)")
                var row = [UInt8](repeating: 0, count: fast.capacity(e))
                if row.withUnsafeMutableBufferPointer({ fast.row(e, into: $0.baseAddress!) }) != nil { own += 1 }
            }
            return own
        }
    }

    /// The training set after a hunt, with a mark: cited and marked rows carry findings and tags.
    @Test func trainingRowsWithFindingsAndMarks() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        try t.run("mark 398 as malicious --tag 'quote\\\"d' --note 'tab\there, comma'")
        #expect(Self.compare(t.session) > 1000)
    }

    static let proxyHeader = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
        + "#Date: 2021-03-03T06:00:00.000Z\r\n"
        + "#Fields: DateTime,UrlQuery,Method,UrlStem,HttpStatus,ClientIpAddress,UserAgent,AuthenticatedUser,AnchorMailbox\r\n"

    /// HttpProxy lines (the query column first, so quoted values after it still let the fast writer find it).
    static let proxyLines: [String] = [
        "2021-03-03T06:49:42.162Z,a=1,GET,/owa/auth/x.js,200,1.2.3.4,Mozilla/5.0,user1,ServerInfo~a]@b/ecp",
        "2021-03-03T06:49:43.000Z,,,/ecp/y.js,200,1.2.3.4,,,",                               // no method, no agent: unquoted
        "2021-03-03T06:49:44.000Z,,,,500,,,,",                                              // a status only: " 500"
        "2021-03-03T06:49:45.000Z,\(String(repeating: "q", count: 81)),POST,/ecp/z,200,5.6.7.8,curl/7.1,,",  // clipped query
        "2021-03-03T06:49:46.000Z,\(String(repeating: "q", count: 80)),POST,/ecp/z,200,5.6.7.8,curl/7.1,,",  // exactly 80
        "2021-03-03T06:49:47.000Z,x,GET,/a,200,1.1.1.1,\"say \"\"hi\"\", ok\",,",             // quotes and a comma in a value
        "2021-03-03T06:49:48.000Z,x,GET,/a,200,1.1.1.1,\"comma, only\",,",                    // a comma: quoted cell
        "2021-03-03T06:49:49.000Z,x,GET,/a,200,1.1.1.1,Mozillä/5.0,,",                         // non-ASCII
        "2021-03-03T06:49:50.000Z,x,GET,/a,200,1.1.1.1,evil\u{1B}[31m\u{7},,",                  // control characters
        "2021-03-03T06:49:51.000Z,x,GET,/a,200,1.1.1.1,bidi\u{202E}x,,",
        "2021-03-03T06:49:52.000Z,x,GET,/a,200,1.1.1.1,del\u{7F},,",
        "2021-03-03T06:49:53.000Z,x,=cmd|' /C calc'!A0,/a,200,1.1.1.1,,,",                     // a formula
        "2021-03-03T06:49:54.000Z,,,-2+3,200,,,,",                                           // starts with -
        "2021-03-03T06:49:55.000Z,,,,,,@SUM(1),,",                                           // an agent alone: a space first
        "2021-03-03T06:49:56.000Z,x,GET,/a,200,1.1.1.1,ua,u,\(String(repeating: "A", count: 380))",  // message over 400 bytes
        "2021-03-03T06:49:57.000Z,x,GET,/a,200,1.1.1.1,ua,u,\(String(repeating: "A", count: 355))",  // just under
        "1969-12-31T23:59:59.999Z,x,GET,/a,200,1.1.1.1,ua,,",                                // before 1970
        "1970-01-01T00:00:00.000Z,x,GET,/a,200,1.1.1.1,ua,,",
        "9999-12-31T23:59:59.999Z,x,GET,/a,200,1.1.1.1,ua,,",
        "not a time,x,GET,/a,200,1.1.1.1,ua,,",                                              // no time: no row
        "2021-03-03T06:49:58.000Z,\"quoted,query\",GET,/a,200,1.1.1.1,ua,,",                   // only the full split finds it
        "2021-03-03T06:49:59.000Z,x\\y,GET,/back\\slash,200,1.1.1.1,ua,,",
    ]

    static let iisLines: [String] = [
        "2021-03-03 06:49:42 10.0.0.5 GET /owa/auth/x.js a=1,b=2 443 - 10.0.0.9 Mozilla/5.0+(X) - 200 0 0 15",
        "2021-03-03 06:49:43 10.0.0.5 GET /owa/auth/x.js - 443 - 10.0.0.9 - - 200 0 0 15",
        // A comma past the clipped 80 characters, and no agent: the kept text has none, so the cell is not quoted.
        "2021-03-03 06:49:44 10.0.0.5 GET /a \(String(repeating: "k", count: 85)),tail 443 - 10.0.0.9 - - 200 0 0 15",
        "2021-03-03 06:49:45 10.0.0.5 GET /a \(String(repeating: "k", count: 70)),\(String(repeating: "k", count: 20)) 443 - 10.0.0.9 - - 200 0 0 15",
        "2021-03-03 06:49:46 10.0.0.5 GET /a \(String(repeating: "k", count: 85))é 443 - 10.0.0.9 - - 200 0 0 15",  // non-ASCII clipped away
        "2021-03-03 06:49:47 10.0.0.5 GET /a q\"uote 443 DOM\\user 10.0.0.9 - - 200 0 0 15",
        "2021-03-03 06:49:48 10.0.0.5 GET /a =cmd|calc 443 - 10.0.0.9 - - 200 0 0 15",  // a formula: neutralised by the general writer
        "2021-03-03 06:49:49 10.0.0.5 GET /a @x 443 - 10.0.0.9 - - 200 0 0 15",
        "2021-03-03 06:49:50 10.0.0.5 GET /a \(String(repeating: "cmd=dir", count: 60)),x 443 - 10.0.0.9 - - 200 0 0 15",
    ]

    @Test func trickyRequestsMatchTheGeneralWriter() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let proxy = dir.appendingPathComponent("set/EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG")
        let iis = dir.appendingPathComponent("set/EX01/W3SVC1/u_ex210303.log")
        for f in [proxy, iis] { try FileManager.default.createDirectory(at: f.deletingLastPathComponent(), withIntermediateDirectories: true) }
        try Data((Self.proxyHeader + Self.proxyLines.joined(separator: "\r\n") + "\r\n").utf8).write(to: proxy)
        try Data(("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
                  + "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
                  + Self.iisLines.joined(separator: "\n") + "\n").utf8).write(to: iis)
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("set").path)")
        let store = t.session.store
        #expect(store.count == Self.proxyLines.count + Self.iisLines.count)
        #expect(Set(store.files.map(\.kind)) == [.httpProxy, .iis])
        let own = Self.compare(t.session)
        #expect(own >= 12 && own < store.count, "\(own) of \(store.count) rows written by the fast writer")
    }
}

@testable import ExchangeEvidence
import Foundation
import Testing

/// Each reader on adversarial shapes (long runs of one byte, many duplicates, deep nesting), at a size and
/// at twice that size: what the reader produces (events, problems, bytes not read) must grow at most linearly,
/// and the larger input must load within the time limit — a quadratic reader needs far longer (100 KB of
/// spaces in a header took 39 s to trim). Work is counted in outputs, never timed.
@Suite(.timeLimit(.minutes(2))) struct ReaderComplexityTests {
    static let httpProxy = "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG"
    static let exchangeHeader = "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,ClientIpAddress,UserAgent\r\n"
    static let iisHeader = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip cs(User-Agent)\r\n"
    static let listingHeader = "#TYPE System.IO.FileInfo\r\n\"FullName\",\"Length\",\"LastWriteTimeUtc\"\r\n"
    static let xmlEvent = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID>"
        + "<TimeCreated SystemTime='2021-03-03T06:00:00.000Z'/></System><EventData>"

    /// (name, path, input of about `n` bytes).
    static let shapes: [(String, String, (Int) -> String)] = [
        ("csv: a line of commas", httpProxy, { exchangeHeader + "2021-03-03T06:00:00.000Z," + String(repeating: ",", count: $0) + "\r\n" }),
        ("csv: a line of quotes", httpProxy, { exchangeHeader + "2021-03-03T06:00:00.000Z,\"" + String(repeating: "\"", count: $0) + "\r\n" }),
        ("csv: spaces in #Fields", httpProxy, { "#Software: Microsoft Exchange Server\r\n#Fields: DateTime" + String(repeating: " ", count: $0) + "\r\n" }),
        ("csv: alternating #Fields", httpProxy, { n in
            exchangeHeader + String(repeating: "#Fields: DateTime,A\r\n2021-03-03T06:00:00.000Z,1\r\n#Fields: DateTime,B\r\n", count: n / 60) }),
        ("csv: duplicate lines", httpProxy, { exchangeHeader + String(repeating: "2021-03-03T06:00:00.000Z,1.2.3.4,x\r\n", count: $0 / 36) }),
        ("csv: no line breaks", httpProxy, { String(repeating: "a", count: $0) }),
        ("iis: a line of spaces", "EX01/W3SVC1/u_ex210303.log", { iisHeader + "2021-03-03 06:00:00 1.2.3.4" + String(repeating: " ", count: $0) + "\r\n" }),
        ("iis: blank lines", "EX01/W3SVC1/u_ex210303.log", { iisHeader + String(repeating: "\r\n", count: $0 / 2) }),
        ("listing: a row of quotes", "EX01/listings/files.csv", { listingHeader + "\"" + String(repeating: "\"", count: $0) + "\r\n" }),
        ("listing: a time of digits", "EX01/listings/files.csv", { listingHeader + "\"C:\\a\",\"1\",\"" + String(repeating: "9", count: $0) + "\"\r\n" }),
        ("listing: duplicate rows", "EX01/listings/files.csv", { listingHeader + String(repeating: "\"C:\\a\",\"1\",\"3/3/2021 6:00:00 AM\"\r\n", count: $0 / 38) }),
        ("xml: deep nesting", "EX01/eventlogs/security.xml", { xmlEvent + String(repeating: "<Data>", count: $0 / 6) + "</EventData></Event>" }),
        ("xml: unclosed events", "EX01/eventlogs/security.xml", { String(repeating: "<Event ", count: $0 / 7) }),
        ("xml: unclosed comment", "EX01/eventlogs/security.xml", { xmlEvent + String(repeating: "<!--", count: $0 / 4) }),
        ("xml: unclosed tags", "EX01/eventlogs/security.xml", { xmlEvent + String(repeating: "<a b='", count: $0 / 6) }),
        ("xml: many events", "EX01/eventlogs/security.xml", { String(repeating: xmlEvent + "<Data Name='x'>1</Data></EventData></Event>\n", count: $0 / 200) }),
        ("text: one long line", "EX01/notes/ticket.txt", { String(repeating: "x", count: $0) }),
    ]

    struct Output: Equatable {
        var events = 0, problems = 0, notRead = 0
    }

    static func output(_ path: String, _ text: String) -> Output {
        let store = EventStore()
        let f = EvidenceLoader.load(bytes: Array(text.utf8), path: path, into: store)
        _ = (0..<store.count).map { store.fields(of: $0) }
        return Output(events: f.eventCount, problems: f.problems.total, notRead: f.bytesNotRead)
    }

    @Test(arguments: 0..<shapes.count)
    func outputGrowsLinearly(_ k: Int) {
        let (name, path, make) = Self.shapes[k]
        let small = Self.output(path, make(128 << 10)), large = Self.output(path, make(256 << 10))
        for (a, b) in [(small.events, large.events), (small.problems, large.problems), (small.notRead, large.notRead)] {
            #expect(b <= 2 * a + 8, "\(name): \(small) → \(large)")
        }
    }
}

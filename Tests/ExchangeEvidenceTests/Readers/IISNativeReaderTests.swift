@testable import ExchangeEvidence
import Foundation
import Testing

/// IIS's own log file format (`inYYMMDD.log`): its lines are the W3C lines of their fields, timed in UTC from the
/// server's local time (before, the file loaded as text and no rule or indicator saw it).
@Suite struct IISNativeReaderTests {
    static let path = Fixtures.path("iis-native/in210303.log")

    @Test func linesAreIISEventsTimedFromLocalTime() throws {
        let store = EventStore()
        var loader = EvidenceLoader(workers: 1)
        loader.localTimeZone = TimeZone(identifier: "Europe/Oslo")
        _ = try loader.load(Self.path, into: store)
        let f = try #require(store.files.first)
        #expect("\(f.kind) \(f.channel) \(f.server) \(f.eventCount)" == "iis W3SVC1 EX01 4")
        #expect(Timestamp.iso(store.time[1]) == "2021-03-03T06:49:43.000Z", "07:49:43 in Oslo (UTC+1 in March)")
        #expect(store.value(.method, 1) == "POST" && store.value(.urlStem, 1) == "/ecp/y.js" && store.value(.clientIP, 1) == "165.232.154.116")
        #expect(store.value(.user, 0) == "CONTOSO\\alice" && store.value(.status, 0) == "200")
        #expect(store.field("cs-uri-query", of: 2) == "cmd=whoami")
        #expect(store.field("s-ip", of: 2) == "10.0.0.11")
        #expect((0..<store.count).map { store.line(of: $0) } == [1, 2, 3, 4])
        let problems = f.problems.kept.map(\.message)
        #expect(problems.contains { $0.hasPrefix("line 1: IIS's log file format (not W3C)") })
        #expect(problems.contains { $0.hasPrefix("line 4: not a line of IIS's log file format") }, "a cut line is kept as text, named")
    }

    @Test func withoutAZoneTheTimesAreAGuessSaid() throws {
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(Self.path, into: store)
        #expect(Timestamp.iso(store.time[1]) == "2021-03-03T07:49:43.000Z")
        #expect(store.files[0].problems.countsByKind.contains { $0.kind == ProblemLog.localTimeAsUTCKind })
    }

    @Test func aW3CLogOrACSVIsNotClaimed() {
        for text in ["#Software: Microsoft Internet Information Services 10.0\n", "a, b, c,\n", "DateTime,RequestId\n"] {
            #expect(Array(text.utf8).withUnsafeBytes { IISNativeReader().score(path: "x.log", head: $0) } == 0, "\(text)")
        }
    }
}

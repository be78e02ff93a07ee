import ExchangeEvidence
import Foundation
import Testing

/// A live log collected twice (day 1 and day 5 of a response), each collection loaded as a set: the lines both copies
/// hold are counted once, in the earlier copy, and the later copy adds the lines written since.
@Suite struct RecollectedLogTests {
    static let path = "EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"
    static let header = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
        + "#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,ServerHostName,UrlStem,ClientIpAddress,UserAgent,HttpStatus\r\n"
    static func row(_ second: Int, _ ip: String = "10.0.0.1") -> String {
        "2021-03-03T06:49:\(second < 10 ? "0" : "")\(second).162Z,EX01,/ecp/y.js,\(ip),python-requests/2.25.1,200\r\n"
    }

    /// Day 1 ends inside a line being written (a live log); day 5 holds it whole and two more.
    static let day1 = header + row(1) + row(2) + "2021-03-03T06:49:03.162Z,EX01,/ecp/y."
    static let day5 = header + row(1) + row(2) + row(3, "167.99.168.251") + row(4) + row(5)

    static func sets(_ first: String, _ second: String) -> (URL, URL) {
        let dir = Fixtures.tempDir()
        Fixtures.write(first, "day1/" + path, in: dir)
        Fixtures.write(second, "day5/" + path, in: dir)
        return (dir.appendingPathComponent("day1"), dir.appendingPathComponent("day5"))
    }

    @Test func theLaterCopyAddsOnlyItsNewLines() throws {
        let (day1, day5) = Self.sets(Self.day1, Self.day5)
        let store = EventStore()
        _ = try EvidenceLoader().load(day1.path, into: store)
        #expect(store.count == 3, "two lines and the one cut off")
        let report = try EvidenceLoader().load(day5.path, into: store)
        #expect(store.count == 5, "two new lines; the one cut off on day 1 stays day 1's, counted once")
        let later = store.files[1]
        #expect(later.continuesFrom == Self.day1.utf8.count)
        #expect(later.facts[EvidenceFile.continuesFact] == "day1/" + Self.path)
        #expect(later.eventCount == 2 && later.sha256 != store.files[0].sha256)
        #expect(store.events(ofFile: 1).map { store.line(of: $0) } == [9, 10], "lines keep their numbers in the later copy")
        #expect(report.continued.count == 1 && report.continued[0].events == 3 && report.continued[0].earlier == "day1/" + Self.path)
        #expect(report.filesAdded == 1 && report.duplicatesSkipped == 0)
    }

    /// The earlier collection loaded second holds nothing new: it is skipped as already loaded.
    @Test func anEarlierCopyLoadedAfterIsAlreadyLoaded() throws {
        let (day1, day5) = Self.sets(Self.header + Self.row(1) + Self.row(2), Self.day5)
        let store = EventStore()
        _ = try EvidenceLoader().load(day5.path, into: store)
        let report = try EvidenceLoader().load(day1.path, into: store)
        #expect(report.duplicatesSkipped == 1 && store.count == 5)
    }

    /// Both collections in one folder, loaded at once, give what two loads give (reviewer: every line twice); a
    /// protocol folder's log of the same name whose start is another's directives is no continuation of it.
    @Test func bothCollectionsInOneLoad() throws {
        let (day1, _) = Self.sets(Self.day1, Self.day5)
        let root = day1.deletingLastPathComponent()
        let owa = "day5/" + Self.path.replacingOccurrences(of: "/Ecp/", with: "/Owa/")
        Fixtures.write(Self.header, owa, in: root)
        let store = EventStore()
        let report = try EvidenceLoader().load(root.path, into: store)
        #expect(store.count == 5 && report.continued.count == 1, "\(report.continued)")
        #expect(store.files.first { $0.path.hasSuffix("/Owa/HttpProxy_2021030306-1.LOG") }?.continuesFrom == 0)
    }

    /// Near miss: a log of that name whose content differs where the copies overlap is another log, loaded whole.
    @Test func otherContentIsNoContinuation() throws {
        let edited = Self.header + Self.row(1) + Self.row(7) + Self.row(3) + Self.row(4)
        let (day1, day5) = Self.sets(Self.day1, edited)
        let store = EventStore()
        _ = try EvidenceLoader().load(day1.path, into: store)
        let report = try EvidenceLoader().load(day5.path, into: store)
        #expect(report.continued.isEmpty && store.files[1].continuesFrom == 0 && store.files[1].eventCount == 4)
    }
}

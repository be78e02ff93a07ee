import ExchangeEvidence
import Foundation
import Testing

/// An event log collected twice (a ring, copied on day 1 and on day 5) or exported twice in two formats: a record of
/// the same computer, channel, EventRecordID and time is one record, counted once, in the copy loaded first.
@Suite struct RecollectedEventLogTests {
    /// A `wevtutil qe /f:xml` line: a 4624 logon of `admin` from `ip`.
    static func logon(_ record: Int, at time: String, computer: String = "EX01.contoso.local", ip: String = "10.1.3.9") -> String {
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4624</EventID><Level>0</Level>"
            + "<TimeCreated SystemTime='\(time)'/><EventRecordID>\(record)</EventRecordID><Channel>Security</Channel>"
            + "<Computer>\(computer)</Computer></System><EventData><Data Name='TargetUserName'>admin</Data>"
            + "<Data Name='LogonType'>3</Data><Data Name='IpAddress'>\(ip)</Data></EventData></Event>\n"
    }

    static func day(_ records: ClosedRange<Int>) -> String {
        records.map { logon($0, at: "2021-03-03T07:\(10 + $0):00.123Z") }.joined()
    }

    @Test func aRingCollectedAgainAddsOnlyItsNewRecords() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.day(1...6), "day1/EX01/Security.xml", in: dir)
        // Day 5: the ring lost records 1-3, kept 4-6 and holds 7-10; then the log was cleared (1102, not shown) and
        // numbering began at 1 again: a record numbered 2 at another time is new.
        Fixtures.write(Self.day(4...10) + Self.logon(2, at: "2021-03-05T01:00:00.000Z", ip: "203.0.113.7"), "day5/EX01/Security.xml", in: dir)
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.appendingPathComponent("day1").path, into: store)
        let report = try EvidenceLoader().load(dir.appendingPathComponent("day5").path, into: store)
        #expect(store.count == 6 + 5, "records 7-10 and the cleared log's record 2 are new; 4-6 stay day 1's")
        #expect(store.events(ofFile: 1).map { store.line(of: $0) } == [4, 5, 6, 7, 8], "lines keep their numbers in the later copy")
        #expect(store.files[1].facts[EvidenceFile.continuesFact] == "day1/EX01/Security.xml")
        #expect(report.continued.count == 1 && report.continued[0].events == 3)
        #expect(store.files[1].sharedLines == [1: 3, 2: 4, 3: 5], "day 5's lines 1-3 are day 1's records 4-6, events 3-5")
    }

    /// Record numbers are a computer's per channel: the same number and time on another computer is another record.
    @Test func anotherComputersRecordsAreKept() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.day(1...3), "EX01/Security.xml", in: dir)
        Fixtures.write((1...3).map { Self.logon($0, at: "2021-03-03T07:\(10 + $0):00.123Z", computer: "EX02.contoso.local") }.joined(),
                       "EX02/Security.xml", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(store.count == 6 && report.continued.isEmpty)
    }

    /// A real `.evtx` and the same log collected again with other bytes in its unused chunk space (so another SHA-256),
    /// in one load: the second adds nothing.
    @Test(.enabled(if: Fixtures.hasEvtx, "shared EVTX fixtures not found in ../shared/fixtures/evtx: skipped"))
    func aRealEvtxCollectedTwice() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.evtx("security-benign-logons.evtx"))))
        // The first chunk (at 4096) ends its records at its free-space offset (chunk header byte 48): past it is unused.
        let free = Int(bytes[4096 + 48]) | Int(bytes[4096 + 49]) << 8
        bytes[4096 + free + 100] ^= 0xFF
        let dir = Fixtures.tempDir()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/DESKTOP-JK4Q86I"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.evtx("security-benign-logons.evtx"),
                                         toPath: dir.appendingPathComponent("a/DESKTOP-JK4Q86I/Security.evtx").path)
        Fixtures.write(bytes, "b/DESKTOP-JK4Q86I/Security.evtx", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(store.files.count == 2 && store.files[0].sha256 != store.files[1].sha256)
        #expect(store.count == 10 && store.files[1].eventCount == 0, "each of the 10 records once")
        #expect(report.continued.count == 1 && report.continued[0].events == 10)
    }
}

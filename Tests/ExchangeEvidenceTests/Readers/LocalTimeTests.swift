import ExchangeEvidence
import Foundation
import Testing

/// Formats written in the collecting machine's local time (Test-ProxyLogon's `-Cve-2021-26857.csv`, a
/// listing's `LastWriteTime`) carry no zone: read as UTC they are hours off, so the file says so, and
/// `load --local-time ZONE` makes them UTC.
@Suite struct LocalTimeTests {
    static func umFile(_ time: String, server: String, in dir: URL) {
        Fixtures.write("#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord\n\"TimeCreated\",\"MachineName\",\"Message\"\n"
            + "\"\(time)\",\"\(server).contoso.local\",\"An unhandled exception occurred in a UM worker process\"\n",
            "\(server)-Cve-2021-26857.csv", in: dir)
    }

    static func load(_ dir: URL, zone: String?) throws -> EventStore {
        let store = EventStore()
        var loader = EvidenceLoader(workers: 2)
        loader.localTimeZone = zone.flatMap(TimeZone.init(identifier:))
        _ = try loader.load(dir.path, into: store)
        return store
    }

    @Test func withoutAZoneTheyAreReadAsUTCAndTheFileSaysSo() throws {
        let dir = Fixtures.tempDir()
        Self.umFile("3/3/2021 7:55:02 AM", server: "EXUS", in: dir)
        Self.umFile("03.03.2021 07:55:02", server: "EXNO", in: dir)
        let store = try Self.load(dir, zone: nil)
        for f in store.files {
            #expect(f.facts["time.zone"] == "unknown: local time read as UTC")
            #expect(f.problems.kept.contains { $0.message.contains("TimeCreated is the collecting machine's local time") && $0.message.contains("--local-time") })
        }
        #expect(store.time.allSatisfy { Timestamp.iso($0) == "2021-03-03T07:55:02.000Z" })
    }

    @Test func theZoneGivenAtLoadMakesThemUTC() throws {
        let dir = Fixtures.tempDir()
        Self.umFile("03.03.2021 07:55:02", server: "EXNO", in: dir)
        Self.umFile("7/3/2021 7:55:02 AM", server: "EXUS", in: dir)
        let store = try Self.load(dir, zone: "Europe/Oslo")
        let no = try #require(store.files.first { $0.path.hasPrefix("EXNO") })
        #expect(no.facts["time.zone"] == "Europe/Oslo")
        #expect(no.problems.total == 0)
        let times = store.files.map { f in Timestamp.iso(store.time[(0..<store.count).first { store.file(of: $0) === f }!]) }
        // Oslo is UTC+1 in March and UTC+2 (summer time) in July.
        #expect(Set(times) == ["2021-03-03T06:55:02.000Z", "2021-07-03T05:55:02.000Z"])
    }

    /// Oslo skipped 02:00–03:00 on 2021-03-28 and showed 02:00–03:00 twice on 2021-10-31: such times are read
    /// (an hour on; the later) and the file says they may be an hour off. Times around them need no word.
    @Test func timesInADaylightSavingChangeAreSaidToBeUncertain() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = ["28.03.2021 01:59:59", "28.03.2021 02:30:00", "28.03.2021 03:00:00", "31.10.2021 01:59:59",
                    "31.10.2021 02:30:00", "31.10.2021 03:00:00", "15.11.2021 12:00:00"]
        Fixtures.write("\"FullName\",\"LastWriteTime\"\n" + rows.enumerated().map { "\"C:\\\($0.offset).aspx\",\"\($0.element)\"\n" }.joined(),
                       "EX01/listings/local.csv", in: dir)
        let store = try Self.load(dir, zone: "Europe/Oslo")
        #expect(store.time.map(Timestamp.iso) == ["2021-03-28T00:59:59.000Z", "2021-03-28T01:30:00.000Z", "2021-03-28T01:00:00.000Z",
                                                   "2021-10-30T23:59:59.000Z", "2021-10-31T01:30:00.000Z", "2021-10-31T02:00:00.000Z",
                                                   "2021-11-15T11:00:00.000Z"])
        #expect(store.files[0].problems.kept.map(\.message) == ["2 times of LastWriteTime fall in a daylight-saving change of Europe/Oslo "
            + "and may be an hour off: 2021-03-28 02:30:00 did not exist there (the clocks skipped it; read an hour on); "
            + "2021-10-31 02:30:00 was shown twice (read as the later)"])
        #expect(LocalTime.ambiguity(ofLocal: 1_616_934_600_000, in: TimeZone(identifier: "UTC")!) == nil)
    }

    @Test func utcColumnsAndZonedValuesAreLeftAlone() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("\"FullName\",\"LastWriteTimeUtc\"\n\"C:\\a.aspx\",\"3/3/2021 7:55:02 AM\"\n", "EX01/listings/utc.csv", in: dir)
        Fixtures.write("\"FullName\",\"LastWriteTime\"\n\"C:\\b.aspx\",\"2021-03-03T07:55:02Z\"\n", "EX01/listings/zoned.csv", in: dir)
        Fixtures.write("\"FullName\",\"LastWriteTime\"\n\"C:\\c.aspx\",\"3/3/2021 7:55:02 AM\"\n", "EX01/listings/local.csv", in: dir)
        let store = try Self.load(dir, zone: "America/New_York")
        let byName = Dictionary(uniqueKeysWithValues: store.files.map { ($0.path.split(separator: "/").last.map(String.init) ?? "", $0) })
        #expect(byName["utc.csv"]?.facts["time.zone"] == nil)
        #expect(byName["zoned.csv"]?.facts["time.zone"] == nil)
        #expect(byName["local.csv"]?.facts["time.zone"] == "America/New_York")
        #expect(byName["local.csv"]?.facts["time.local-column"] == "LastWriteTime")
        #expect(store.time.map(Timestamp.iso).sorted() == ["2021-03-03T07:55:02.000Z", "2021-03-03T07:55:02.000Z", "2021-03-03T12:55:02.000Z"])
    }
}

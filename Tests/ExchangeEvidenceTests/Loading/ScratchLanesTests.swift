@testable import ExchangeEvidence
import Foundation
import Testing

/// Where inflated zip members are kept: memory files when they fit in half the available memory, unlinked
/// files in `$TMPDIR` otherwise; one lane per concurrent writer.
@Suite struct ScratchLanesTests {
    @Test func membersThatFitInHalfTheMemoryGoToMemoryFilesAndLargerOnesToDisk() throws {
        #expect(try ScratchLanes(capacity: 1 << 20, available: 2 << 20).place == .memory)
        let disk = try ScratchLanes(capacity: (1 << 20) + 4096, available: 2 << 20)
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/tmp"
        #expect(disk.place == .folder(tmp))
    }

    @Test func lanesTakenTogetherAreDifferentFilesAndAGivenBackLaneIsReused() throws {
        let lanes = try ScratchLanes(capacity: 8192, available: 1 << 30)
        let a = lanes.take(), b = lanes.take()
        #expect(a !== b)
        #expect(a.fd != b.fd)
        lanes.give(b)
        #expect(lanes.take() === b)
    }

    @Test func whatIsWrittenToALaneReadsBackThroughItsMapping() throws {
        let lanes = try ScratchLanes(capacity: 8192, available: 1 << 30)
        let lane = lanes.take()
        let text = Array("2021-03-03T06:12:00Z,10.0.0.2\n".utf8)
        #expect(pwrite(lane.fd, text, text.count, 4096) == text.count)
        let bytes = EvidenceBytes(lane.mapping, offset: 4096, count: text.count)
        #expect(bytes.withUnsafeBytes { Array($0) } == text)
    }

    @Test func aZipsMembersAreReadBackIntactWhenTheLoadRunsOnManyWorkers() throws {
        let members = (0..<40).map { i in
            ZipBuilder.Member("EX01/Logging/HttpProxy/Owa/HttpProxy_20210303\(String(format: "%02d", i % 24))-\(i).LOG",
                              ZipSourceTests.text + String(repeating: "#\(i)\n", count: i * 300))
        }
        let url = Fixtures.tempDir().appendingPathComponent("many.zip")
        ZipBuilder(members: members).write(to: url)
        let loader = EvidenceLoader(workers: 4)
        let store = EventStore()
        let report = try loader.load(url.path, into: store)
        #expect(report.discoveryProblems.isEmpty)
        #expect(store.files.count == members.count)
        for f in store.files {
            let m = members.first { $0.name == f.path }!
            #expect(f.bytes.isMapped)
            #expect(f.sha256 == SHA256.hex(m.data), "\(f.path)")
        }
    }

    @Test func aMemberReadAgainAfterTheLanesAreFullIsReadIntoMemory() throws {
        let url = Fixtures.tempDir().appendingPathComponent("again.zip")
        ZipBuilder(members: [.init(ZipSourceTests.log, ZipSourceTests.text)]).write(to: url)
        let zip = try ZipSource(path: url.path, budget: InflateBudget(limit: nil))
        let first = try zip.read(zip.members[0]).bytes
        let second = try zip.read(zip.members[0]).bytes
        #expect(first.isMapped)
        #expect(!second.isMapped)
        #expect(first.withUnsafeBytes { Array($0) } == second.withUnsafeBytes { Array($0) })
    }
}

@testable import ExchangeEvidence
import Foundation
import Testing

/// Hostile and damaged zips: every refused or damaged member is a problem naming it, and everything readable
/// around it is kept.
@Suite struct ZipSourceTests {
    static let log = "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG"
    static let text = HostileInputTests.header + HostileInputTests.row(1) + HostileInputTests.row(2)

    func load(_ zip: ZipBuilder, maxInflate: Int? = nil) throws -> (EventStore, LoadReport) {
        let url = Fixtures.tempDir().appendingPathComponent("ex01.zip")
        zip.write(to: url)
        var loader = EvidenceLoader(workers: 2)
        loader.maxInflate = maxInflate
        let store = EventStore()
        return (store, try loader.load(url.path, into: store))
    }

    func messages(_ report: LoadReport) -> [String] { report.discoveryProblems.map { "\($0.path): \($0.message)" } }

    @Test func memberNamesGetSlashesAsFoundationGivesThem() {
        #expect(ZipSource.slashed("EX01\\Logging\\a.log") == "EX01/Logging/a.log")
        #expect(ZipSource.slashed("EX01/Logging/a.log") == "EX01/Logging/a.log")
        for name in ["..\\x", "C:\\w\\", "\\\\", "é\\f", "a\\\u{301}b", "日本\\語"] {
            #expect(ZipSource.slashed(name) == name.replacingOccurrences(of: "\\", with: "/"), "\(name)")
        }
    }

    @Test func memberPathPartsAreTheCharacterSplit() {
        for path in ["EX01/Logging/a.log", "/abs", "a//b/", "", "/", "../x", "C:/w", "é/f", "\r\n:/x", "a\tb/c"] {
            #expect(ZipSource.parts(path) == path.split(separator: "/", omittingEmptySubsequences: false), "\(path)")
        }
    }

    @Test func membersAreInflatedOutsideTheHeapAndMatchTheirText() throws {
        let (store, report) = try load(ZipBuilder(members: [.init(Self.log, Self.text), .init("EX01/notes.txt", "one\ntwo\n")]))
        #expect(report.discoveryProblems.isEmpty)
        #expect(store.files.map(\.path) == ["EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG", "EX01/notes.txt"])
        #expect(store.files.allSatisfy { $0.bytes.isMapped }, "inflated into the mapped temporary file")
        #expect(store.files[0].sha256 == SHA256.hex(Array(Self.text.utf8)))
        #expect(store.value(.clientIP, 1) == "10.0.0.2")
        #expect(store.files.allSatisfy { $0.problems.total == 0 })
    }

    @Test func zip64SizesNearTwoToTheSixtyFourAreRefusedNotTrappedOn() throws {
        var huge = ZipBuilder.Member("EX01/huge.log", "x")
        huge.declaredSize = UInt64.max
        var half = ZipBuilder.Member("EX01/half.log", "y")
        half.declaredSize = UInt64(1) << 63
        let (store, report) = try load(ZipBuilder(members: [huge, .init(Self.log, Self.text), half]))
        #expect(store.count == 2)
        let m = messages(report)
        #expect(m.count == 2)
        #expect(m.allSatisfy { $0.contains("more than is left of the load's inflate budget") })
        #expect(m[0].hasPrefix("ex01.zip!/EX01/huge.log: zip member declares 18446744073709551615 bytes"))
    }

    @Test func aMemberDeclaringSevenGiBIsRefusedWithoutReservingIt() throws {
        var big = ZipBuilder.Member("EX01/big.log", "small")
        big.declaredSize = 7 << 30
        let (store, report) = try load(ZipBuilder(members: [big, .init(Self.log, Self.text)]))
        #expect(store.count == 2)
        #expect(messages(report) == ["ex01.zip!/EX01/big.log: zip member declares 7516192768 bytes, more than is left of the load's inflate budget (67108864 bytes, 0 taken; raise it with load --max-inflate SIZE); not loaded"])
    }

    @Test func theInflateBudgetCapsTheWholeLoad() throws {
        let zeros = [UInt8](repeating: 0x41, count: 1 << 20)
        let members = (0..<40).map { ZipBuilder.Member(String(format: "EX01/blob%02d.txt", $0), bytes: zeros) }
        let (store, report) = try load(ZipBuilder(members: members), maxInflate: 5 << 20)
        #expect(store.files.count == 5)
        #expect(report.discoveryProblems.count == 35)
        #expect(report.discoveryProblems.first?.path == "ex01.zip!/EX01/blob05.txt")
        #expect(report.discoveryProblems.allSatisfy { $0.message.contains("inflate budget (5242880 bytes, 5242880 taken") })
    }

    @Test func aDamagedDirectoryEntryDoesNotLoseTheMembersAroundIt() throws {
        var zip = ZipBuilder(members: [.init("EX01/a.txt", "alpha\n"), .init("EX01/b.txt", "beta\n"), .init("EX01/c.txt", "gamma\n")])
        zip.damageDirectoryEntry = 1
        let (store, report) = try load(zip)
        #expect(store.files.map(\.path) == ["EX01/a.txt", "EX01/b.txt", "EX01/c.txt"])
        #expect(messages(report) == [
            "ex01.zip: zip central directory entry 2 is damaged (no signature at byte 199); skipped",
            "ex01.zip: 1 member(s) recovered from local headers (their central directory entries are missing)",
        ])
    }

    @Test func aWrongCRCIsAProblemOnTheMemberWhichIsStillLoaded() throws {
        var bad = ZipBuilder.Member(Self.log, Self.text)
        bad.crc = 0x1234_5678
        let (store, _) = try load(ZipBuilder(members: [bad, .init("EX01/ok.txt", "fine\n")]))
        #expect(store.count == 3)
        #expect(store.files[0].messages.count == 1)
        #expect(store.files[0].messages[0].hasPrefix("zip member fails its CRC-32 check (stored 12345678, computed "))
        #expect(store.files[1].problems.total == 0)
    }

    @Test func aCorruptCentralDirectoryFallsBackToLocalHeaders() throws {
        var zip = ZipBuilder(members: [.init(Self.log, Self.text), .init("EX01/b.txt", "beta\n")])
        zip.omitDirectory = true
        let (store, report) = try load(zip)
        #expect(store.files.map(\.path) == [Self.log, "EX01/b.txt"])
        #expect(messages(report) == [
            "ex01.zip: zip central directory not found (archive cut short or damaged): members found by scanning local headers",
            "ex01.zip: 2 member(s) recovered from local headers (their central directory entries are missing)",
        ])
        #expect(report.discoveryProblems.allSatisfy { !$0.skipped }, "the zip was read, not skipped: it is damaged")
    }

    @Test func encryptedAndSymlinkAndUnknownMethodMembersAreNamed() throws {
        var secret = ZipBuilder.Member("EX01/secret.log", "hidden")
        secret.flags = 1
        var link = ZipBuilder.Member("EX01/link.log", "/etc/passwd")
        link.unixMode = 0o120777
        link.method = 0
        var bzip = ZipBuilder.Member("EX01/bz.log", bytes: [1, 2, 3])
        bzip.method = 12
        bzip.keepCompressed = 3
        let (store, report) = try load(ZipBuilder(members: [secret, .init(Self.log, Self.text), link, bzip]))
        #expect(store.files.map(\.path) == [Self.log])
        #expect(messages(report) == [
            "ex01.zip!/EX01/secret.log: zip member is encrypted; it cannot be read without its password; not loaded",
            "ex01.zip!/EX01/link.log: zip member is a symbolic link; not followed, not loaded",
            "ex01.zip!/EX01/bz.log: zip member is compressed with method 12 (only stored and deflate are read); not loaded",
        ])
    }

    @Test func aCutDeflateStreamKeepsWhatInflatedAndSaysSo() throws {
        let long = HostileInputTests.header + (1...400).map { HostileInputTests.row($0 % 60, ua: "agent-\($0 * 7919)") }.joined()
        var cut = ZipBuilder.Member(Self.log, long)
        cut.keepCompressed = ZipBuilder.deflate(Array(long.utf8)).count / 2
        let (store, _) = try load(ZipBuilder(members: [cut, .init("EX01/ok.txt", "fine\n")]))
        let f = try #require(store.files.first)
        #expect(f.eventCount > 10 && f.eventCount < 400, "the readable first part is loaded")
        #expect(f.messages.contains { $0.hasPrefix("zip member's compressed data is cut short after ") && $0.hasSuffix(" of \(long.utf8.count) bytes; the readable part is loaded") })
        #expect(store.files[1].path == "EX01/ok.txt")
    }

    @Test func storedMembersAreReadToo() throws {
        var plain = ZipBuilder.Member(Self.log, Self.text)
        plain.method = 0
        let (store, report) = try load(ZipBuilder(members: [plain]))
        #expect(report.discoveryProblems.isEmpty)
        #expect(store.count == 2)
        #expect(store.files[0].problems.total == 0)
    }
}

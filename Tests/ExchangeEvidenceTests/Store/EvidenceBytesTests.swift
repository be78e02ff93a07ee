@testable import ExchangeEvidence
import Foundation
import Testing

/// Loaded files are mapped, and a file that shrinks under a session neither crashes it nor goes unnoticed.
@Suite(.serialized) struct EvidenceBytesTests {
    /// ~40 KiB of HttpProxy lines: ten pages, so a truncation leaves whole pages past the end.
    static let text = HostileInputTests.header + (0..<300).map { HostileInputTests.row($0 % 60, ua: String(repeating: "Mozilla/5.0 ", count: 10) + "\($0)") }.joined()
    static let rel = "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG"

    func loaded(copy: Bool = false) throws -> (EventStore, URL) {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.text, Self.rel, in: dir)
        var loader = EvidenceLoader(workers: 2)
        loader.copy = copy
        let store = EventStore()
        _ = try loader.load(dir.path, into: store)
        return (store, dir.appendingPathComponent(Self.rel))
    }

    @Test func filesAreMappedAndHashedOverTheMapping() throws {
        let (store, _) = try loaded()
        let f = try #require(store.files.first)
        #expect(f.bytes.isMapped)
        #expect(f.sha256 == SHA256.hex(Array(Self.text.utf8)))
        #expect(store.count == 300)
        #expect(store.filesChangedSinceLoad().isEmpty)
        // The address writers read lines through is where `withUnsafeBytes` has them.
        #expect(f.bytes.withUnsafeBytes { $0.baseAddress } == f.bytes.baseAddress && f.bytes.baseAddress != nil)
    }

    @Test func copyReadsIntoMemory() throws {
        let (store, url) = try loaded(copy: true)
        #expect(store.files[0].bytes.isMapped == false)
        #expect(store.files[0].bytes.withUnsafeBytes { $0.baseAddress } == store.files[0].bytes.baseAddress)
        #expect(truncate(url.path, 100) == 0)
        #expect(store.rawLine(299).hasSuffix(" 299,200"), "the copy is unaffected")
        #expect(store.filesChangedSinceLoad().isEmpty, "a copy cannot go stale under the session")
    }

    @Test func aTruncatedFileReadsAsZerosAndIsReportedOnce() throws {
        let (store, url) = try loaded()
        let before = EvidenceBytes.absorbedFaults
        #expect(truncate(url.path, 100) == 0)
        // Read past the new end without checking first: the fault is absorbed, not fatal.
        let line = store.rawLine(299)
        #expect(line.allSatisfy { $0 == "\0" })
        #expect(EvidenceBytes.absorbedFaults > before)
        let changed = store.filesChangedSinceLoad()
        #expect(changed.map(\.path) == [Self.rel])
        #expect(changed.first?.changedSinceLoad == "truncated from \(Self.text.utf8.count) to 100 bytes since it was loaded: lines past byte 100 now read as empty")
        #expect(store.files[0].messages.last == changed.first?.changedSinceLoad, "listed with the file's problems")
        #expect(store.filesChangedSinceLoad().isEmpty, "reported once")
    }

    @Test func checkingFirstZeroesTheLostTailWithoutAFault() throws {
        let (store, url) = try loaded()
        #expect(truncate(url.path, 5000) == 0)
        #expect(store.filesChangedSinceLoad().count == 1)
        let before = EvidenceBytes.absorbedFaults
        #expect(store.rawLine(299).allSatisfy { $0 == "\0" })
        #expect(store.rawLine(1).hasPrefix("2021-03-03T06:00:01.000Z"), "what is still in the file reads as before")
        #expect(EvidenceBytes.absorbedFaults == before)
    }

    @Test func aRewrittenFileIsReportedToo() throws {
        let (store, url) = try loaded()
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("2021-03-03T07:00:00.000Z,r9,/owa/,10.9.9.9,x,200\r\n".utf8))
        try handle.close()
        #expect(store.filesChangedSinceLoad().first?.changedSinceLoad?.hasPrefix("grew from ") == true)
    }
}

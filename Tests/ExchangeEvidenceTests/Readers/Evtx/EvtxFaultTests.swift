@testable import ExchangeEvidence
import Foundation
import Testing

/// Real-log faults, each made from a real fixture: every readable record is kept, and each fault is a problem
/// naming the chunk or record (what `sources --problems` lists).
@Suite(.enabled(if: Fixtures.hasEvtx, "shared EVTX fixtures not found in ../shared/fixtures/evtx: EVTX fault tests skipped"))
struct EvtxFaultTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.evtx(name))))
    }

    static func read(_ b: [UInt8]) -> ReaderOutput { b.withUnsafeBytes { EvtxReader().read(bytes: $0) } }

    static func messages(_ out: ReaderOutput) -> [String] { out.problems.kept.map(\.message) }

    /// The stored lines as field lists.
    static func events(_ out: ReaderOutput) -> [[(name: String, value: String)]] {
        guard let r = out.rendered else { return [] }
        return r.withUnsafeBytes { all in
            (0..<out.batch.count).map { k in
                let s = out.batch.offsets[k]
                return KeyValueLine.split(UnsafeRawBufferPointer(rebasing: all[s..<(s + Int(out.batch.lengths[k]))]))
            }
        }
    }

    static func value(_ e: [(name: String, value: String)], _ name: String) -> String? { e.first { $0.name == name }?.value }

    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for k in 0..<4 { b[at + k] = $0[k] } }
    }

    static func get32(_ b: [UInt8], _ at: Int) -> UInt32 { b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) } }

    /// Recomputes a chunk's header and records CRC32s after an edit (as a writer would have).
    static func fixCRCs(_ b: inout [UInt8], chunk k: Int) {
        let c = EvtxLayout.chunkOffset(k)
        let free = Int(get32(b, c + 48))
        let data = b.withUnsafeBytes { CRC32.update(0, $0.baseAddress! + c + 512, free - 512) }
        put32(&b, c + 52, data)
        let header = b.withUnsafeBytes { p in CRC32.update(CRC32.update(0, p.baseAddress! + c, 120), p.baseAddress! + c + 128, 384) }
        put32(&b, c + 124, header)
    }

    static func fixFileCRC(_ b: inout [UInt8]) {
        put32(&b, 124, b.withUnsafeBytes { CRC32.update(0, $0.baseAddress!, 120) })
    }

    @Test func lastChunkOneByteShortKeepsItsRecords() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        b.removeLast()
        let out = Self.read(b)
        #expect(out.batch.count == 10, "not 0 of 10")
        #expect(Self.messages(out).contains { $0.contains("header says 1 chunk, 0 complete ones are present and a partial one") })
        #expect(Self.messages(out).contains { $0.contains("chunk 0 (offset 4096): file ends 65535 bytes into this chunk") })
    }

    @Test func zeroedHeaderBlockSizeStillLoads() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        b[40] = 0; b[41] = 0
        let out = Self.read(b)
        #expect(out.batch.count == 10)
        #expect(Self.messages(out).contains { $0.contains("file header block size is 0") })
        #expect(Self.messages(out).contains { $0.contains("file header CRC32 does not match") })
    }

    @Test func damagedFreeSpaceOffsetIsReportedAndRecordsKept() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        Self.put32(&b, 4096 + 48, 0xFFFF_FFFF)
        let out = Self.read(b)
        #expect(out.batch.count == 10)
        #expect(Self.messages(out).contains { $0.contains("chunk 0 (offset 4096): free-space offset 4294967295 is out of range") })
        #expect(Self.messages(out).contains { $0.contains("header CRC32 does not match") })
    }

    /// A record whose header is damaged mid-chunk: the ones before are read, the ones after are carved (their
    /// templates check out) and kept, marked recovered; the damaged one is named.
    @Test func damagedRecordHeaderDoesNotSkipTheRestUnreported() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        b[4096 + 8384] = 0    // record 5's signature
        let out = Self.read(b)
        let events = Self.events(out)
        #expect(events.count == 9)
        #expect(events.filter { Self.value($0, "Recovered") == "true" }.count == 5)
        #expect(Self.messages(out).contains { $0.contains("record header at chunk offset 8384 does not check out") })
        #expect(!events.contains { Self.value($0, "EventRecordID") == "31795" })
    }

    /// The real Defender log's fault: a stale record after the chunk's free-space offset. Reading stops at the
    /// offset; the stale record is recovered (its template checks out) and the next chunk is read as usual.
    @Test func staleRecordAfterFreeSpaceOffsetDoesNotSwitchOffReading() throws {
        let one = try Self.bytes("security-benign-logons.evtx")
        var b = one + one[4096..<(4096 + 65536)]
        b[42] = 2
        Self.fixFileCRC(&b)
        Self.put32(&b, 4096 + 48, 12720)    // record 10 (31800) now lies after the free-space offset
        Self.put32(&b, 4096 + 44, 12000)
        Self.fixCRCs(&b, chunk: 0)
        let out = Self.read(b)
        let events = Self.events(out)
        #expect(out.facts["evtx.records"] == "19")
        #expect(events.count == 19, "the stale copy of 31800 duplicates chunk 1's record and is dropped")
        #expect(out.problems.total == 0, "\(Self.messages(out))")

        var single = one
        Self.put32(&single, 4096 + 48, 12720)
        Self.fixCRCs(&single, chunk: 0)
        let alone = Self.events(Self.read(single))
        #expect(alone.count == 10)
        #expect(alone.last.map { Self.value($0, "EventRecordID") } == "31800")
        #expect(alone.last.map { Self.value($0, "Recovered") } == "true")
    }

    @Test func badRecordsCRCAndDirtyFlagAreProblemsAndEveryRecordIsKept() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        b[4096 + 13000] ^= 0x20    // inside record 10
        b[120] |= 1                // dirty
        Self.fixFileCRC(&b)
        let out = Self.read(b)
        #expect(out.batch.count == 10)
        #expect(out.facts["evtx.dirty"] == "true")
        #expect(Self.messages(out).contains { $0.contains("chunk 0 (offset 4096): records CRC32 does not match") })
        #expect(Self.messages(out).contains { $0.contains("marked dirty") })
    }

    /// A 16-chunk log cut after 9 chunks: reported, and the records of the chunks present are exactly what
    /// pyevtx-rs reads from the same cut file.
    @Test(.enabled(if: EvtxOracle.available, "python3 module evtx missing: oracle part skipped"))
    func truncatedFileMatchesTheOracle() throws {
        let b = Array(try Self.bytes("dirty-appx-deployment-bad-chunk-magic.evtx")[0..<(4096 + 9 * 65536)])
        let out = Self.read(b)
        #expect(Self.messages(out).contains { $0.contains("file truncated: the header says 16 chunks, 9 complete ones are present") })
        let path = Fixtures.tempDir().appendingPathComponent("cut.evtx")
        try Data(b).write(to: path)
        var expected = try EvtxOracle.expected(path.path)
        // Cut off mid-value (47640) or with an empty System part (46741): pyevtx-rs keeps partial records,
        // exhunt reports the damaged record instead.
        expected.removeAll { $0.hasPrefix("47640\t") || $0.hasPrefix("\t") }
        #expect(EvtxOracle.actual(out) == expected)
    }

    /// Event data named like a System column keeps both: the System value under its name, the data value
    /// under `EventData.Name`; the XML export reader names it the same way.
    @Test func eventDataNamedLikeASystemFieldKeepsBoth() throws {
        var b = try Self.bytes("security-benign-logons.evtx")
        let from = Array("KeyName".utf16), to = Array("Channel".utf16)
        for at in [2581, 4259, 5537] {
            #expect(b[4096 + at] == UInt8(from[0]))
            for (k, u) in to.enumerated() { b[4096 + at + 2 * k] = UInt8(u) }
        }
        Self.fixCRCs(&b, chunk: 0)
        let out = Self.read(b)
        #expect(out.problems.total == 0, "\(Self.messages(out))")
        let renamed = Self.events(out).filter { Self.value($0, "EventData.Channel") != nil }
        #expect(renamed.count == 6)
        #expect(renamed.allSatisfy { Self.value($0, "Channel") == "Security" })
        #expect(renamed.contains { Self.value($0, "EventData.Channel") == "TB_2_msedge.net" })

        let xml = """
            <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="P"/><EventID>1</EventID>\
            <TimeCreated SystemTime="2022-10-11T19:26:52.045655800Z"/><EventRecordID>7</EventRecordID><Channel>Security</Channel>\
            <Computer>H</Computer></System><EventData><Data Name="Channel">TB_2_msedge.net</Data></EventData></Event>
            """
        var x = ReaderOutput(kind: .text)
        Array(xml.utf8).withUnsafeBytes { WindowsEventXMLReader().read(ReaderInput(path: "a.xml", bytes: $0), into: &x) }
        let e = try #require(Self.events(x).first)
        #expect(Self.value(e, "Channel") == "Security")
        #expect(Self.value(e, "EventData.Channel") == "TB_2_msedge.net")
        #expect(Self.value(e, "TimeCreated") == "2022-10-11T19:26:52.0456558Z", "seven digits, as from .evtx")
    }
}

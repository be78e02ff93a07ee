@testable import ExchangeEvidence
import Foundation
import Testing

/// Every byte of every file ends up in an event, in a header the reader read, or in a problem line naming
/// file, line and reason. Checked for every reader's fixtures and for hostile inputs.
@Suite struct ByteAccountingTests {
    /// Every fixture folder of the test targets, and the shared real EVTX files when present.
    static var fixtureRoots: [String] {
        let tests = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        var roots = [Fixtures.root.path, tests.appendingPathComponent("ExchangeDetectionTests/Fixtures").path]
        if Fixtures.hasEvtx { roots.append(Fixtures.evtxDir.path) }
        return roots
    }

    @Test func everyFixtureIsReadCompletely() throws {
        var readers = Set<String>()
        for root in Self.fixtureRoots {
            let (store, _) = try Fixtures.load(root)
            for f in store.files {
                readers.insert(f.kind.rawValue)
                #expect(f.accounted, "\(f.path): reader declared nothing to measure its events by")
                #expect(f.problems.countsByKind.first { $0.kind == ByteAccounting.kind } == nil,
                        "\(f.path): \(f.problems.kept.filter { $0.message.contains("not read") }.map(\.message).prefix(3))")
                if f.kind != .eventLog || f.path.hasSuffix(".xml") {
                    #expect(f.bytesNotRead == 0, "\(f.path): \(f.bytesNotRead) bytes not read")
                }
            }
        }
        // Every reader family took part.
        for kind in ["httpproxy", "iis", "ecp-server", "eventlog", "file-listing", "file-hash", "web-file"] {
            #expect(readers.contains(kind), "no fixture read as \(kind)")
        }
    }

    /// A reader that drops every other line: the accounting names each dropped line.
    struct DroppingReader: EvidenceReader {
        var name: String { "dropping" }
        var readsText: Bool { true }
        func score(path: String, head: UnsafeRawBufferPointer) -> Int { 1000 }
        func read(_ input: ReaderInput, into out: inout ReaderOutput) {
            let schema = out.batch.addSchema(FieldSchema.plain)
            var scanner = LineScanner(input.bytes)
            while let (off, len) = scanner.next() {
                guard len > 0 && scanner.lineNumber % 2 == 1 else { continue }
                out.batch.append(offset: off, length: len, line: scanner.lineNumber, time: Timestamp.unknown, schema: schema)
            }
        }
    }

    @Test func silentLossBecomesAProblemLine() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write("one\r\ntwo\r\n\r\n   \r\nthree\nfour\n", "x.txt", in: dir)
        let store = EventStore()
        _ = try EvidenceLoader(readers: [DroppingReader()], workers: 1).load(dir.path, into: store)
        let f = try #require(store.files.first)
        #expect(store.count == 2)
        #expect(f.messages == ["line 2: 3 bytes not read (the dropping reader made no event of them)",
                               "line 6: 4 bytes not read (the dropping reader made no event of them)"], "blank line 4 holds nothing")
        #expect(f.bytesNotRead == 3 + 4)
    }

    @Test func hostileLinesAreAccountedFor() throws {
        let header = "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,ClientIpAddress\r\n"
        let cases: [[UInt8]] = [
            Array((header + "2021-03-03T06:00:00.000Z,1.2.3.4\r\n\r\n\r\n2021-03-03T06:00:01.000Z,1.2.3.5").utf8),
            Array(("2021-03-03T06:00:00.000Z,1.2.3.4\r\n" + header + "\"unterminated,quote\r\n").utf8),
            Array(header.utf8) + [0xFF, 0xFE, 0x00, 0x0A] + Array("2021-03-03T06:00:00.000Z,1.2.3.4\n".utf8),
            Array("<?xml version=\"1.0\"?><Events><Event><Foo/></Event>junk<Event xmlns='x'><System><EventID>1</EventID></System></Event></Events>".utf8),
            Array(ListingText.header.utf8) + Array("\"C:\\a\",\"1\"\r\n\r\n\"C:\\b\"\r\n".utf8),
        ]
        for (i, bytes) in cases.enumerated() {
            let dir = Fixtures.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            Fixtures.write(bytes, "EX01/Logging/HttpProxy/Owa/case\(i).log", in: dir)
            let (store, _) = try Fixtures.load(dir.path)
            let f = try #require(store.files.first)
            #expect(f.accounted)
            // Whatever was not read is named by a line problem, or by a problem refusing the whole file.
            if f.bytesNotRead > 0 {
                #expect(f.problems.kept.contains { $0.line != nil } || (f.eventCount == 0 && f.bytesNotRead == f.size),
                        "case \(i): \(f.messages)")
            }
        }
    }

    enum ListingText {
        static let header = "#TYPE System.IO.FileInfo\r\n\"FullName\",\"Length\"\r\n"
    }
}

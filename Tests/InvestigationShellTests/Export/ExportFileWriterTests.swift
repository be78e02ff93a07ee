import Foundation
@testable import InvestigationShell
import Testing

/// The export file writer: whatever mix of small and large writes, direct or through the page cache, or
/// switching from one to the other mid-file, the file holds exactly the bytes given, with no padding left.
@Suite struct ExportFileWriterTests {
    /// Writes `sizes` pieces of a deterministic byte stream and returns the bytes written.
    static func write(_ sizes: [Int], to writer: ExportFileWriter, leavingDirectAfter switchAt: Int? = nil) throws -> [UInt8] {
        var all: [UInt8] = []
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        for (k, n) in sizes.enumerated() {
            if k == switchAt { try writer.leaveDirect() }
            var piece = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                piece[i] = UInt8(truncatingIfNeeded: x)
            }
            try piece.withUnsafeBytes { try writer.write($0) }
            all += piece
        }
        try writer.finish()
        return all
    }

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let block = ExportFileWriter.blockSize, page = ExportFileWriter.alignment
    /// Empty, below a page, exactly a page, a block and a bit, a piece larger than a block, many small rows.
    static let cases: [[Int]] = [[], [0], [1], [page - 1], [page], [page + 1], [block], [block, 1], [block - 3, 7, page],
                                 [2 * block + 12_345], Array(repeating: 997, count: 20_000)]

    @Test(arguments: [true, false]) func fileHoldsExactlyTheBytesWritten(direct: Bool) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (k, sizes) in Self.cases.enumerated() {
            let path = dir.appendingPathComponent("\(k).csv").path
            let writer = try ExportFileWriter(path: path, direct: direct)
            if !direct { #expect(!writer.direct) }
            let expected = try Self.write(sizes, to: writer)
            #expect(writer.count == expected.count)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected), "sizes \(sizes.prefix(4))")
        }
    }

    /// A direct write the file system refuses or cuts short moves the rest of the file to the page cache.
    @Test func leavingDirectMidFileKeepsTheBytes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (k, (sizes, at)) in [([Self.block, 5_000, 3], 1), ([Self.block + 1, Self.block], 1), ([100, 200], 1), ([Self.page, 1], 1)].enumerated() {
            let path = dir.appendingPathComponent("\(k).jsonl").path
            let writer = try ExportFileWriter(path: path)
            let expected = try Self.write(sizes, to: writer, leavingDirectAfter: at)
            #expect(!writer.direct)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        }
    }

    /// An existing file is emptied first; a folder that does not exist is an error naming the cause.
    @Test func replacesAFileAndReportsOpenErrors() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.csv").path
        try Data(repeating: 0x41, count: 3 * Self.page).write(to: URL(fileURLWithPath: path))
        let expected = try Self.write([10], to: try ExportFileWriter(path: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        #expect(throws: ExportFileWriter.WriteFailure.self) { try ExportFileWriter(path: dir.appendingPathComponent("no/such.csv").path) }
    }
}

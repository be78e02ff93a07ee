@testable import ExchangeEvidence
import Foundation
import Testing

/// One test per class of failure mutation fuzzing found (crash, hang), each failing on the code before its fix.
@Suite struct HostileRegressionTests {
    static let listingHeader = "#TYPE System.IO.FileInfo\r\n\"FullName\",\"Length\",\"LastWriteTimeUtc\"\r\n"

    func load(_ files: [(String, [UInt8])]) throws -> EventStore {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in files { Fixtures.write(bytes, name, in: dir) }
        return try Fixtures.load(dir.path).0
    }

    // MARK: - Crashes: arithmetic on numbers from evidence

    @Test(arguments: [String(repeating: "9", count: 40), "3/3/2021 6:50:01." + String(repeating: "9", count: 22),
                      "3/3/2021 " + String(repeating: "1", count: 25) + ":50:01 AM", "99999999999999999999/3/2021 6:50"])
    func powerShellTimeOverflow(_ time: String) throws {
        let text = Self.listingHeader + "\"C:\\inetpub\\wwwroot\\a.aspx\",\"12\",\"\(time)\"\r\n"
            + "\"C:\\inetpub\\wwwroot\\b.aspx\",\"12\",\"3/3/2021 6:50:01 AM\"\r\n"
        let store = try load([("EX01/listings/files.csv", Array(text.utf8))])
        #expect(store.count == 2, "both rows are kept")
        #expect(store.files[0].problems.kept.contains { $0.message.hasPrefix("line 3: unreadable time") })
        #expect(Timestamp.iso(store.time[1]) == "2021-03-03T06:50:01.000Z")
    }

    // MARK: - Crashes: index widths

    static func manySchemas(_ range: Range<Int>) -> [UInt8] {
        var text = "#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n"
        for i in range { text += "#Fields: DateTime,F\(i)\n2021-03-03T06:00:00.000Z,v\(i)\n" }
        return Array(text.utf8)
    }

    /// One load: the first file alone has more schemas than a batch holds, the second adds new ones to a full store.
    @Test func schemaIndexOverflowInABatchAndAcrossFiles() throws {
        let n = FieldSchema.limit + 10
        let store = try load([("EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG", Self.manySchemas(0..<n)),
                              ("EX01/Logging/HttpProxy/Owa/HttpProxy_2021030307-1.LOG", Self.manySchemas(n..<(n + 5)))])
        #expect(store.count == n + 5, "every line is kept")
        #expect(store.schemas.count <= FieldSchema.limit)
        #expect(store.rawLine(n - 1) == "2021-03-03T06:00:00.000Z,v\(n - 1)")
        #expect(store.rawLine(n + 4) == "2021-03-03T06:00:00.000Z,v\(n + 4)")
        #expect(store.files[0].problems.kept.contains { $0.message.hasPrefix("12 distinct #Fields headers beyond the limit") })
        #expect(store.files[1].problems.kept.contains { $0.message.hasPrefix("5 distinct #Fields headers beyond the limit") })
        #expect(store.field("F0", of: 0) == "v0", "schemas under the limit keep their fields")
    }

    // MARK: - Hangs: trimming

    @Test(.timeLimit(.minutes(1)))
    func quadraticTrimOfSpaceRuns() throws {
        let spaces = String(repeating: " ", count: 1 << 20)
        let ecp = "#Software: Microsoft Exchange Server\r\n#Log-type: ECP Server Logs\r\n#Fields: DateTime,ServerName\(spaces)\t\r\n"
            + "2021-03-03T06:00:00.000Z,EX01\r\n"
        let hashes = "\"Algorithm\",\"Hash\",\"Path\(spaces)\"\r\n\"SHA256\",\"AB\",\"C:\\x.aspx\"\r\n"
        let store = try load([("EX01/Logging/ECP/Server/ECPServer2021030306-1.LOG", Array(ecp.utf8)),
                              ("EX01/listings/hashes.csv", Array(hashes.utf8))])
        #expect(store.count == 2)
        #expect(store.schemas.contains { $0.names.last == "ServerName" })
        #expect(store.schemas.contains { $0.names.last == "Path" })
        #expect("\u{FEFF} \t a b \t ".trimmingSpaces() == "a b")
    }
}

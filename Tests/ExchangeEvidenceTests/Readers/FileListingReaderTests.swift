import Foundation
import XCTest
@testable import ExchangeEvidence

final class FileListingReaderTests: XCTestCase {
    /// `Get-ChildItem -Recurse | Export-Csv` in en-US format with `#TYPE` and CRLF.
    func testUSFormatListing() throws {
        let bytes = try Fixtures.bytes("Readers/get-childitem-aspnet_client.csv")
        let reader = FileListingReader()
        XCTAssertEqual(bytes.withUnsafeBytes { reader.score(path: "l.csv", head: $0) }, 90)
        XCTAssertEqual(bytes.withUnsafeBytes { FileHashListReader().score(path: "l.csv", head: $0) }, 0)
        let r = ReaderRun(reader, path: "EX01/listings/aspnet_client.csv", bytes: bytes)
        XCTAssertEqual(r.output.kind, .fileListing)
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(r.output.problems.total, 0)
        XCTAssertEqual(r.output.facts["listing.date-order"], "month/day")
        XCTAssertEqual((0..<4).map(r.line), [3, 4, 5, 6])
        XCTAssertEqual(r.value(.urlStem, 1), #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#)
        XCTAssertEqual(Timestamp.iso(r.time(1)), "2021-03-03T06:50:01.000Z")
        XCTAssertEqual(r.field("CreationTimeUtc", 1), "3/3/2021 6:50:01 AM")
        XCTAssertEqual(r.field("Length", 1), "2383")
        XCTAssertEqual(Timestamp.iso(r.time(0)), "2020-01-15T23:10:44.000Z")
        XCTAssertEqual(Timestamp.iso(r.time(2)), "2021-03-03T08:02:13.000Z")
        XCTAssertEqual(r.value(.urlStem, 3), #"C:\ProgramData\VSPerfMon\lsass.dmp"#)
    }

    /// PowerShell 7 (no `#TYPE`), ISO times, a day-first culture, a short row and a bad time.
    func testOtherCulturesAndBadRows() {
        let iso = "\"FullName\",\"Length\",\"CreationTimeUtc\",\"LastWriteTimeUtc\"\n"
            + "\"C:\\ProgramData\\it.zip\",\"48210933\",\"2021-03-03 07:10:04\",\"2021-03-03 07:10:04\"\n"
        let r = ReaderRun(FileListingReader(), path: "l.csv", bytes: Array(iso.utf8))
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(Timestamp.iso(r.time(0)), "2021-03-03T07:10:04.000Z")

        let gb = "\"FullName\",\"LastWriteTimeUtc\"\n\"C:\\a.aspx\",\"03/04/2021 16:05:00\"\n\"C:\\b.aspx\",\"25/03/2021 09:00:00\"\n"
            + "\"C:\\c.aspx\"\n\"C:\\d.aspx\",\"yesterday\"\n"
        let g = ReaderRun(FileListingReader(), path: "l.csv", bytes: Array(gb.utf8))
        XCTAssertEqual(g.count, 4)
        XCTAssertEqual(g.output.facts["listing.date-order"], "day/month")
        XCTAssertEqual(Timestamp.iso(g.time(0)), "2021-04-03T16:05:00.000Z")
        XCTAssertEqual(g.time(2), Timestamp.unknown)
        XCTAssertEqual(g.output.problems.kept.compactMap(\.line), [4, 5])

        let de = "\"FullName\",\"LastWriteTimeUtc\"\n\"C:\\a.aspx\",\"03.04.2021 06:50:01\"\n"
        XCTAssertEqual(Timestamp.iso(ReaderRun(FileListingReader(), path: "l.csv", bytes: Array(de.utf8)).time(0)),
                       "2021-04-03T06:50:01.000Z")
        XCTAssertEqual(PowerShellTime.parse("3/3/2021 12:05:09 AM", order: .monthFirst).map(Timestamp.iso), "2021-03-03T00:05:09.000Z")
        XCTAssertEqual(PowerShellTime.parse("3/3/2021 12:05:09 PM", order: .monthFirst).map(Timestamp.iso), "2021-03-03T12:05:09.000Z")
    }

    /// `Get-FileHash | Export-Csv`: one event per row, path as url_stem, no time; a missing hash is reported.
    func testHashList() throws {
        let bytes = try Fixtures.bytes("Readers/get-filehash.csv")
        let reader = FileHashListReader()
        XCTAssertEqual(bytes.withUnsafeBytes { reader.score(path: "h.csv", head: $0) }, 85)
        XCTAssertEqual(bytes.withUnsafeBytes { FileListingReader().score(path: "h.csv", head: $0) }, 0)
        let r = ReaderRun(reader, path: "EX01/listings/hashes.csv", bytes: bytes)
        XCTAssertEqual(r.output.kind, .fileHash)
        XCTAssertEqual(r.count, 3)
        XCTAssertEqual(r.field("Hash", 0), "B75F163CA9B9240BF4B37AD92BC7556B40A17E27C2B8ED5C8991385FE07D17D0")
        XCTAssertEqual(r.value(.urlStem, 0), #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#)
        XCTAssertEqual(r.time(0), Timestamp.unknown)
        XCTAssertEqual(r.output.problems.kept.map(\.line), [4])
    }

    /// Exchange CSV logs and plain CSV without the listing columns are not claimed.
    func testNearMisses() {
        for text in ["DateTime,RequestId,MajorVersion\n2021-03-03T00:00:00Z,1,15\n", "\"Name\",\"Value\"\n\"a\",\"b\"\n",
                     "#Software: Microsoft Exchange Server\n#Fields: DateTime,FullName\n"] {
            let head = Array(text.utf8)
            XCTAssertEqual(head.withUnsafeBytes { FileListingReader().score(path: "x.csv", head: $0) }, 0, text)
            XCTAssertEqual(head.withUnsafeBytes { FileHashListReader().score(path: "x.csv", head: $0) }, 0, text)
        }
    }
}

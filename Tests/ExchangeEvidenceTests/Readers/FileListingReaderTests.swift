import ExchangeEvidence
import Foundation
import Testing

@Suite struct FileListingReaderTests {
    /// `Get-ChildItem -Recurse | Export-Csv` in en-US format with `#TYPE` and CRLF.
    @Test func usFormatListing() throws {
        let (s, _) = try Fixtures.load(Fixtures.path("listings/get-childitem-aspnet_client.csv"))
        let file = s.files[0]
        #expect(file.kind == .fileListing)
        #expect(s.count == 4)
        #expect(file.problems.total == 0)
        #expect(file.facts["listing.date-order"] == "month/day")
        #expect((0..<4).map { s.line(of: $0) } == [3, 4, 5, 6])
        #expect(s.value(.urlStem, 1) == #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#)
        #expect(Timestamp.iso(s.time[1]) == "2021-03-03T06:50:01.000Z", "LastWriteTimeUtc")
        #expect(s.field("CreationTimeUtc", of: 1) == "3/3/2021 6:50:01 AM")
        #expect(s.field("Length", of: 1) == "2383")
        #expect(Timestamp.iso(s.time[0]) == "2020-01-15T23:10:44.000Z", "PM")
        #expect(Timestamp.iso(s.time[2]) == "2021-03-03T08:02:13.000Z")
        #expect(s.value(.urlStem, 3) == #"C:\ProgramData\VSPerfMon\lsass.dmp"#)
    }

    /// PowerShell 7 (no `#TYPE`) with ISO times; a day-first culture; a short row and a bad time reported.
    @Test func otherCulturesAndBadRows() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("\"FullName\",\"Length\",\"CreationTimeUtc\",\"LastWriteTimeUtc\"\n"
            + "\"C:\\ProgramData\\it.zip\",\"48210933\",\"2021-03-03 07:10:04\",\"2021-03-03 07:10:04\"\n", "EX01/listings/a.csv", in: dir)
        Fixtures.write("\"FullName\",\"LastWriteTimeUtc\"\n\"C:\\a.aspx\",\"03/04/2021 16:05:00\"\n"
            + "\"C:\\b.aspx\",\"25/03/2021 09:00:00\"\n\"C:\\c.aspx\"\n\"C:\\d.aspx\",\"yesterday\"\n", "EX01/listings/b.csv", in: dir)
        Fixtures.write("\"FullName\",\"LastWriteTimeUtc\"\n\"C:\\a.aspx\",\"03.04.2021 06:50:01\"\n", "EX01/listings/c.csv", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.files.map(\.kind) == [.fileListing, .fileListing, .fileListing])
        #expect(Timestamp.iso(s.time[0]) == "2021-03-03T07:10:04.000Z")
        let gb = s.files[1]
        #expect(gb.eventCount == 4)
        #expect(gb.facts["listing.date-order"] == "day/month")
        #expect(Timestamp.iso(s.time[1]) == "2021-04-03T16:05:00.000Z")
        #expect(s.time[3] == Timestamp.unknown)
        #expect(gb.problems.kept.compactMap(\.line) == [4, 5])
        #expect(Timestamp.iso(s.time[5]) == "2021-04-03T06:50:01.000Z", "dotted dates are day-first")
    }

    /// `Get-FileHash | Export-Csv`: one event per row, path as url_stem, no time; a missing hash is reported.
    /// A row whose quotes break (a quote lost after the path) reads the columns before the break and names it; the
    /// next row is whole (reviewer: the path swallowed the length and the shell's name was missed unreported).
    @Test func brokenQuotingReadsWhatComesBefore() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("#TYPE System.IO.FileInfo\r\n\"FullName\",\"Length\",\"CreationTimeUtc\",\"LastWriteTimeUtc\"\r\n"
                       + "\"C:\\inetpub\\wwwroot\\aspnet_client\\b.aspx,\"12\",\"3/3/2021 7:18:02 AM\",\"3/3/2021 7:18:02 AM\"\r\n"
                       + "\"C:\\inetpub\\wwwroot\\aspnet_client\\c.aspx\",\"12\",\"3/3/2021 7:18:03 AM\",\"3/3/2021 7:18:03 AM\"\r\n",
                       "EX01/listings/webdirs.csv", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.count == 2 && s.value(.urlStem, 0) == "" && s.field("FullName", of: 0) == nil)
        #expect(s.value(.urlStem, 1) == "C:\\inetpub\\wwwroot\\aspnet_client\\c.aspx")
        #expect(s.files[0].messages == ["line 3: the quotes of field 1 (FullName) do not close where the field ends: the 0 fields before it "
                                        + "are read, the rest of the line is kept as written"])
    }

    @Test func hashList() throws {
        let (s, _) = try Fixtures.load(Fixtures.path("listings/get-filehash.csv"))
        let file = s.files[0]
        #expect(file.kind == .fileHash)
        #expect(s.count == 3)
        #expect(s.field("Hash", of: 0) == "B75F163CA9B9240BF4B37AD92BC7556B40A17E27C2B8ED5C8991385FE07D17D0")
        #expect(s.field("Algorithm", of: 0) == "SHA256")
        #expect(s.value(.urlStem, 0) == #"C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx"#)
        #expect(s.time[0] == Timestamp.unknown)
        #expect(file.problems.kept.map(\.line) == [4])
    }

    /// Exchange CSV logs and other CSV are not claimed by either reader.
    @Test(arguments: ["DateTime,RequestId,MajorVersion\n2021-03-03T00:00:00Z,1,15\n", "\"Name\",\"Value\"\n\"a\",\"b\"\n",
                      "#Software: Microsoft Exchange Server\n#Fields: DateTime,FullName\n"])
    func nearMisses(_ text: String) {
        let head = Array(text.utf8)
        #expect(head.withUnsafeBytes { FileListingReader().score(path: "x.csv", head: $0) } == 0)
        #expect(head.withUnsafeBytes { FileHashListReader().score(path: "x.csv", head: $0) } == 0)
    }
}

/// `Get-ChildItem`'s default table (`dir > listing.txt`), as responders paste it (reviewer: `dir` of owa\auth was
/// kept as text, so `webshell.file` never saw RedirSuiteServerProxy.aspx).
@Suite struct GetChildItemTableTests {
    @Test func tableRowsAreAListing() throws {
        let (s, _) = try Fixtures.load(Fixtures.path("listings/get-childitem-table.txt"))
        let file = s.files[0]
        #expect(file.kind == .fileListing)
        #expect(s.count == 5, "a folder, three files of owa\\auth (one name wrapped) and one of aspnet_client")
        #expect((0..<5).map { s.line(of: $0) } == [8, 9, 10, 11, 20])
        let auth = #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\"#
        #expect(s.value(.urlStem, 0) == auth + "15.1.2176.2")
        #expect(s.field("Mode", of: 0) == "d-----" && s.field("Length", of: 0) == "")
        #expect(s.value(.urlStem, 2) == auth + "RedirSuiteServerProxy.aspx")
        #expect(s.field("Length", of: 2) == "2473")
        #expect(s.value(.urlStem, 3) == auth + "ThisIsAVeryLongFileNameThatPowerShellWrapsOntoTheNextLineOfItsTable.aspx",
                "the name's wrapped end joined to it")
        #expect(s.value(.urlStem, 4) == #"C:\inetpub\wwwroot\aspnet_client\system_web\sol.aspx"#, "the second Directory: block")
        #expect(file.facts["listing.date-order"] == "month/day", "12/15/2020 settles it")
        #expect(Timestamp.iso(s.time[2]) == "2021-03-04T03:12:00.000Z", "local time, read as UTC without --local-time")
        #expect(file.problems.kept.map(\.message).contains { $0.contains("LastWriteTime") && $0.contains("local time") })
    }

    /// No date above 12: the order is a guess, said as for an Export-Csv listing, and `--date-order` settles it.
    @Test func ambiguousDatesFollowTheLoadsDateOrder() throws {
        let table = "\n    Directory: C:\\inetpub\\wwwroot\\aspnet_client\n\n"
            + "Mode                 LastWriteTime         Length Name\n----                 -------------         ------ ----\n"
            + "-a----        04/03/2021     06:50            384 sol.aspx\n"
        let dir = Fixtures.tempDir()
        Fixtures.write(table, "EX01/dir.txt", in: dir)
        let (guessed, _) = try Fixtures.load(dir.path)
        #expect(Timestamp.iso(guessed.time[0]) == "2021-04-03T06:50:00.000Z")
        #expect(guessed.files[0].problems.kept.contains { $0.message.contains("day and month order cannot be told") })
        let given = EventStore()
        var loader = EvidenceLoader(workers: 1)
        loader.dateOrder = .dayFirst
        _ = try loader.load(dir.path, into: given)
        #expect(Timestamp.iso(given.time[0]) == "2021-03-04T06:50:00.000Z")
    }

    @Test func aHeaderWithoutDirectoryIsNoListing() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("Mode                 LastWriteTime         Length Name\n-a----   3/4/2021 3:12 AM   2473 a.aspx\n", "EX01/x.txt", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.files[0].kind != .fileListing)
    }
}

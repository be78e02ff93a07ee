import CLibFuzzer
import ExchangeDetection
import ExchangeEvidence
import Foundation

/// What every fuzz target checks beyond "no crash": the promises the loader and readers make about any input.
/// A broken promise traps, which libFuzzer reports (and saves) like a crash.
public enum Fuzz {
    /// Runs libFuzzer with the process's arguments on `test` (from a target's `NAME_main`).
    public static func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                            _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
        var count = argc
        var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&count, &vector, test)
    }

    /// Reads `data` as one evidence file at `path` the way `load` does, then checks that every event lies in
    /// the stored bytes and splits, that the byte accounting measured the file, and runs every rule on it.
    public static func evidence(_ data: UnsafePointer<UInt8>?, _ size: Int, path: String,
                                readers: [any EvidenceReader] = ReaderRegistry.standard) -> CInt {
        let store = EventStore()
        let file = EvidenceLoader.load(bytes: bytes(data, size), path: path,
                                       readers: readers, into: store)
        check(store, file)
        _ = Hunter(rules: RuleRegistry.standard).run(on: store)
        return 0
    }

    /// Loads `data` as a zip evidence set (written to a private temporary file: zips are read in place).
    public static func zip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-fuzz-\(getpid()).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes(data, size))) else { return 0 }
        let store = EventStore()
        guard (try? EvidenceLoader(workers: 1).load(url.path, into: store)) != nil else { return 0 }
        for f in store.files { check(store, f) }
        return 0
    }

    /// Parses `data` as an indicator file (STIX, MISP, MSTIC CSV/JSON, plain lists): detected by content.
    public static func indicators(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        _ = IndicatorFileLoader.load(bytes: bytes(data, size), file: "fuzz.txt",
                                     setName: "fuzz", provenance: "fuzz")
        return 0
    }

    /// Parses `data` as a Sigma rule file and runs what loaded over a few requests and process events: a rule
    /// may be refused with a reason, never crash the parser or the pass.
    public static func sigma(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let loader = SigmaFileLoader()
        let loaded = loader.load(path: "fuzz.yml", bytes: bytes(data, size))
        _ = Hunter(rules: loader.detectionRules(loaded.rules, options: [])).run(on: sigmaStore)
        return 0
    }

    /// HttpProxy requests and Sysmon process creations for the Sigma target to run over (built once).
    static let sigmaStore: EventStore = {
        let store = EventStore()
        let proxy = """
            #Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n\
            #Fields: DateTime,RequestId,UrlStem,UrlQuery,UserAgent,ClientIpAddress,HttpStatus,Method,AnchorMailbox\r\n\
            2021-03-03T06:49:42.162Z,r1,/ecp/y.js,?a=b,ExchangeServicesClient/0.0.0.0,165.232.154.116,241,POST,ServerInfo~a]@EX01:444/autodiscover/autodiscover.xml?#\r\n\
            2021-03-03T06:50:01.000Z,r2,/owa/auth/x.aspx,,Mozilla/5.0+(Windows),10.0.0.5,200,GET,\r\n
            """
        let sysmon = """
            <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon"/>\
            <EventID>1</EventID><TimeCreated SystemTime="2021-03-03T07:00:00.000Z"/><EventRecordID>1</EventRecordID>\
            <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>EX01</Computer></System><EventData>\
            <Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">cmd /c whoami</Data>\
            <Data Name="ParentImage">C:\\Windows\\System32\\inetsrv\\w3wp.exe</Data></EventData></Event>
            """
        _ = EvidenceLoader.load(bytes: Array(proxy.utf8), path: "EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG",
                                readers: ReaderRegistry.standard, into: store)
        _ = EvidenceLoader.load(bytes: Array(sysmon.utf8), path: "EX01/eventlogs/sysmon.xml", readers: ReaderRegistry.standard, into: store)
        return store
    }()

    static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    static func check(_ store: EventStore, _ file: EvidenceFile) {
        precondition(file.accounted, "\(file.path): the reader's events could not be measured against the file")
        precondition(file.bytesNotRead >= 0 && file.recordsNotRead >= 0)
        var n = 0
        for id in 0..<store.count where store.files[Int(store.fileIndex[id])] === file {
            precondition(store.offset[id] >= 0 && store.offset[id] + Int(store.length[id]) <= file.bytes.count,
                         "event \(id) points outside the stored bytes")
            let all = store.fields(of: id)
            // A field found by name without splitting the line is what the full split gives.
            for f in all.prefix(4) {
                let expected = all.first { $0.name.lowercased() == f.name.lowercased() }?.value
                precondition(store.field(f.name, of: id) == expected, "event \(id): field \(f.name) differs from the split")
            }
            let query = store.urlQuery(of: id)
            precondition(store.withURLQuery(id) { String(decoding: $0, as: UTF8.self) } == query, "event \(id): URL query")
            n += 1
        }
        precondition(n == file.eventCount)
    }
}

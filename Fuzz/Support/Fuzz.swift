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
            _ = store.fields(of: id)
            _ = store.urlQuery(of: id)
            n += 1
        }
        precondition(n == file.eventCount)
    }
}

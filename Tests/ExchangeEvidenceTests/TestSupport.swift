import ExchangeEvidence
import Foundation
import Testing

/// Fixtures live next to the tests; hostile inputs are written to a fresh temporary folder per test.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ rel: String) -> String { root.appendingPathComponent(rel).path }

    static func load(_ path: String, server: String? = nil, workers: Int = 2) throws -> (EventStore, LoadReport) {
        let store = EventStore()
        let report = try EvidenceLoader(workers: workers).load(path, server: server, into: store)
        // The accounting invariant, for every input any test loads: each file's events were measured against it.
        for f in store.files { #expect(f.accounted, "\(f.path): not measured by the byte accounting") }
        return (store, report)
    }

    /// A new empty folder under the system temporary folder.
    static func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` at `rel` under `dir`, creating folders.
    static func write(_ bytes: [UInt8], _ rel: String, in dir: URL) {
        let url = dir.appendingPathComponent(rel)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
    }

    static func write(_ text: String, _ rel: String, in dir: URL) { write(Array(text.utf8), rel, in: dir) }
}

extension EvidenceFile {
    /// Problem messages, for assertions.
    var messages: [String] { problems.kept.map(\.message) }
}

import Foundation
@testable import ExchangeEvidence
@testable import InvestigationShell
import Testing

/// A load of event logs none of which could be read is an error, as an empty folder is, so a triage script
/// pointed at broken evidence fails instead of reporting a clean server (reviewer: `broken2/` of a 100-byte and a
/// 4096-byte cut of one `.evtx` gave "no findings", exit 0).
@Suite struct UnreadLogLoadTests {
    /// A folder holding `.evtx` files cut to `sizes` bytes: the file header's signature, then zeros.
    static func cutLogs(_ sizes: [Int]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cut-evtx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, n) in sizes.enumerated() {
            try (Data("ElfFile\0".utf8) + Data(count: n - 8)).write(to: dir.appendingPathComponent("cut\(i).evtx"))
        }
        return dir
    }

    @Test func aLoadThatReadNoEventFailsNamingTheFilesAndKeepsTheirHashes() throws {
        let dir = try Self.cutLogs([100, 4096])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        let message = t.failure("load '\(dir.path)' --server EX09")
        #expect(message.hasPrefix("load: no event could be read from \(dir.path): 2 files, none readable (cut0.evtx: "), "\(message)")
        #expect(message.contains("cut1.evtx: ") && message.contains("they stay loaded with their SHA-256"), "\(message)")
        // The files are on record, as evidence received: their hashes, and the set in `info` and the report.
        #expect(t.session.loads.count == 1)
        #expect(t.session.store.files.count == 2 && t.session.store.files.allSatisfy { $0.sha256.count == 64 })
        let hunt = try t.run("hunt")
        #expect(hunt.contains("not covered: event logs loaded but none could be read (2 files: cut0.evtx: "), "\(hunt)")
        // A script's quiet load fails too.
        #expect(TestShell().failure("load '\(dir.path)' --server EX09 --quiet").hasPrefix("load: no event could be read from "))
    }

    @Test func anUnreadLogBesideEvidenceLoadsAndOnlyNothingAtAllFails() throws {
        let dir = try Self.cutLogs([100])
        defer { try? FileManager.default.removeItem(at: dir) }
        try "2021-03-03 06:49:40 a line of text\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        #expect(t.failure("load '\(dir.path)' --server EX09") == "")
        // Files nothing recognised keep their warning, not an error (`help load`).
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-binary-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: other) }
        try Data((0..<255).map { UInt8($0) } + [UInt8](repeating: 1, count: 200)).write(to: other)
        #expect(TestShell().failure("load '\(other.path)' --server EX09") == "")
    }
}

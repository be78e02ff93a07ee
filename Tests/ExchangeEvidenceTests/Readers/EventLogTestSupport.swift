import ExchangeEvidence
import Foundation

extension Fixtures {
    /// The shared real `.evtx` files (`../shared/fixtures/evtx` from the repository root, or from a folder
    /// above it when the checkout is a worktree one level deeper), never copied in.
    static let evtxDir: URL = {
        var dir = packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("shared/fixtures/evtx")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("README.md").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// True when the shared EVTX fixtures are present; their tests are skipped (with a message) otherwise.
    static var hasEvtx: Bool { FileManager.default.fileExists(atPath: evtxDir.appendingPathComponent("README.md").path) }

    static func evtx(_ name: String) -> String { evtxDir.appendingPathComponent(name).path }
}

extension EventStore {
    /// The events whose field `name` (split from the stored line) equals `value`.
    func ids(where name: String, is value: String) -> [EventID] {
        (0..<count).filter { field(name, of: $0) == value }
    }
}

import ExchangeEvidence
import Foundation

extension Fixtures {
    /// The shared real `.evtx` files (`../shared/fixtures/evtx` from the repository root), never copied in.
    static let evtxDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/evtx")

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

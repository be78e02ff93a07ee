import ExchangeDetection
import ExchangeEvidence
import Foundation

/// Loads fixture evidence the way `load` does and runs rules on it.
enum RuleFixtures {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixturesDir = testsDir.appendingPathComponent("Fixtures")
    /// The shared `.evtx` fixtures, outside the repository (never copied into it).
    static let evtxDir = testsDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/evtx")

    /// A store holding the fixture folders (or files) named, relative to `Fixtures/`.
    static func store(_ names: String...) throws -> EventStore {
        let store = EventStore()
        for n in names {
            _ = try EvidenceLoader(workers: 1).load(fixturesDir.appendingPathComponent(n).path, into: store)
        }
        return store
    }

    /// A store holding one of the shared `.evtx` files, or nil (with the reason printed) when absent.
    static func evtxStore(_ name: String, server: String = "EX01") throws -> EventStore? {
        let url = evtxDir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("skipped: shared EVTX fixture \(url.path) is not present")
            return nil
        }
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(url.path, server: server, into: store)
        return store
    }

    static func run(_ id: String, on store: EventStore) -> [Finding] {
        guard let rule = RuleRegistry.rule(id: id) else { return [] }
        return Hunter(rules: RuleRegistry.standard).run(on: store, only: [rule.id]).findings
    }
}

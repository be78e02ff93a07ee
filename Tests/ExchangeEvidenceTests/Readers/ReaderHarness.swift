import Foundation
@testable import ExchangeEvidence

/// Runs one reader on bytes the way the loader does, and gives the events back as field lists.
struct ReaderRun {
    let output: ReaderOutput
    /// The text the events point into: the reader's rendering, or the input itself.
    let text: [UInt8]

    init(_ reader: any EvidenceReader, path: String, bytes: [UInt8], location: String? = nil) {
        var out = ReaderOutput(kind: .text)
        bytes.withUnsafeBytes { reader.read(ReaderInput(path: path, bytes: $0, location: location), into: &out) }
        output = out
        text = out.rendered ?? bytes
    }

    var count: Int { output.batch.count }

    /// Fields of event `i`, split by its schema.
    func fields(_ i: Int) -> [(name: String, value: String)] {
        let b = output.batch
        let schema = b.schemas[Int(b.schemaIndex[i])]
        let s = b.offsets[i], n = Int(b.lengths[i])
        return text.withUnsafeBytes { schema.fields(of: UnsafeRawBufferPointer(rebasing: $0[s..<(s + n)])) }
    }

    func field(_ name: String, _ i: Int) -> String? { fields(i).first { $0.name == name }?.value }

    func time(_ i: Int) -> Int64 { output.batch.times[i] }
    func line(_ i: Int) -> Int { Int(output.batch.lines[i]) }

    /// An interned field of event `i`, or "" when absent.
    func value(_ f: InternedField, _ i: Int) -> String { output.batch.pool.string(output.batch.values[f.rawValue][i]) }

    /// Indexes of the events whose field `name` equals `value`.
    func events(where name: String, is value: String) -> [Int] {
        (0..<count).filter { field(name, $0) == value }
    }
}

/// Test fixtures: ours under `Fixtures/`, and the shared `.evtx` files outside the repository.
enum Fixtures {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repoRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let evtxDir = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: testsDir.appendingPathComponent("Fixtures").appendingPathComponent(name)))
    }
}

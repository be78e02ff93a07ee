@testable import ExchangeEvidence
import Foundation
import Testing

/// Seeded mutation fuzzing of the EVTX reader on the real fixtures: a fixed number of mutated files (random
/// bytes, header and chunk-header fields, record sizes and offsets, truncation), deterministic from the seed.
/// Each must read without a crash or hang, and yield no more events than records could fit in the bytes.
/// A failure prints the seed and iteration so it can become a named regression test.
@Suite(.enabled(if: Fixtures.hasEvtx, "shared EVTX fixtures not found in ../shared/fixtures/evtx: EVTX fuzz test skipped"))
struct EvtxFuzzTests {
    /// SplitMix64: small, fast and the same on every platform.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let seed: UInt64 = 0x45_56_54_58    // "EVTX"
    static let iterations = 1000

    @Test func mutatedFixturesNeverCrashOrOverflow() throws {
        let names = EvtxOracleTests.fixtures.filter { !$0.hasPrefix("dirty-") }
        let sources = try names.map { try EvtxFaultTests.bytes($0) }
        // The dirty fixture's four real chunks, each as a one-chunk file.
        let dirty = try EvtxFaultTests.bytes("dirty-appx-deployment-bad-chunk-magic.evtx")
        let chunks = [0, 7, 8, 9].map { Array(dirty[0..<4096]) + Array(dirty[(4096 + $0 * 65536)..<(4096 + ($0 + 1) * 65536)]) }
        let corpus = sources + chunks
        var rng = Rng(state: Self.seed)
        for i in 0..<Self.iterations {
            var b = corpus[rng.below(corpus.count)]
            Self.mutate(&b, &rng)
            let out = EvtxFaultTests.read(b)
            #expect(out.batch.count <= b.count / 28 + 1, "seed \(Self.seed) iteration \(i)")
            if let r = out.rendered { #expect(r.count <= 64 * b.count + 65536, "seed \(Self.seed) iteration \(i)") }
        }
    }

    /// One to three mutations: random bytes in the chunk header, the records or the BinXML; a 16- or 32-bit
    /// field set to an edge value (sizes, offsets, counts); or the file cut short.
    static func mutate(_ b: inout [UInt8], _ rng: inout Rng) {
        for _ in 0..<(1 + rng.below(3)) {
            switch rng.below(6) {
            case 0:
                for _ in 0..<(1 + rng.below(16)) { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1:
                let at = 4096 + rng.below(512)
                b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2, 3:
                let at = rng.below(b.count - 4)
                let edges: [UInt32] = [0, 1, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, 0x7FFF_FFFF, 512, 28, UInt32(rng.below(70000))]
                EvtxFaultTests.put32(&b, at, edges[rng.below(edges.count)])
            case 4:
                let at = rng.below(b.count - 2)
                b[at] = UInt8(truncatingIfNeeded: rng.next()); b[at + 1] = UInt8(truncatingIfNeeded: rng.next())
            default:
                b.removeLast(rng.below(b.count / 2))
            }
        }
    }
}

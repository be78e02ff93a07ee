import Dispatch
import Foundation

/// Renders a long list on every core and writes it in order: the list is cut into blocks, a group of blocks is
/// made concurrently, then each block is handed to `consume` in list order before the next group starts. Memory
/// holds one group, never the whole output. `hunt` uses it for its findings, whose summaries each read an
/// event's line, so that hundreds of thousands of them are not written one by one on one core.
enum OrderedBlocks {
    /// Items per block.
    static let block = 256

    /// Calls `make` with consecutive ranges of `0..<count` (at most `block` long) from several threads, and
    /// `consume` with the results in range order on the calling thread. A `consume` that throws stops the run.
    static func run<T: Sendable>(count: Int, make: @escaping @Sendable (Range<Int>) -> T, consume: (T) throws -> Void) rethrows {
        let blocks = (count + block - 1) / block
        let group = max(2, ProcessInfo.processInfo.activeProcessorCount) * 4
        var start = 0
        while start < blocks {
            let n = min(group, blocks - start)
            let made = Made<T>(count: n)
            let from = start
            DispatchQueue.concurrentPerform(iterations: n) { g in
                let first = (from + g) * block
                made.set(g, make(first..<min(count, first + block)))
            }
            for g in 0..<n { try consume(made.take(g)) }
            start += n
        }
    }

    /// The results of one group, each set by one worker at its own index.
    private final class Made<T: Sendable>: @unchecked Sendable {
        private var results: [T?]
        private let lock = NSLock()
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: T) { lock.withLock { results[i] = value } }
        func take(_ i: Int) -> T { lock.withLock { results[i].take()! } }
    }
}

import Dispatch
import ExchangeEvidence

/// Writes one row per event, rendered on all cores a block at a time and written in the given order, with
/// progress on stderr and Ctrl-C checked between blocks. Every event export uses it.
///
/// Writing a block to a file (copied into the file's aligned blocks, then taken by the disk: `ExportFileWriter`)
/// overlaps rendering the next one, and the row buffers of two blocks are kept and reused: a fresh multi-megabyte
/// buffer per chunk cost a page fault per page, and writing between blocks left the cores idle for a third of an
/// export.
enum ExportRows {
    /// Events per task: large enough to amortise the task, small enough to keep both cores busy.
    static let chunk = 16_384
    static let lanes = 8

    /// The rows of one block, rendered by `lanes` tasks (each into its own slot: plain memory, as tasks on
    /// several threads may not mutate one Array), then written by the writer thread.
    private final class Block: @unchecked Sendable {
        let parts = UnsafeMutableBufferPointer<ExportBytes>.allocate(capacity: ExportRows.lanes)
        let rows = UnsafeMutableBufferPointer<Int>.allocate(capacity: ExportRows.lanes)
        var used = 0

        init() {
            _ = parts.initialize(from: repeatElement(ExportBytes(), count: ExportRows.lanes))
            rows.initialize(repeating: 0)
        }

        deinit {
            parts.deinitialize().deallocate()
            rows.deallocate()
        }
    }

    /// The writer's outcome, read once it has finished a block.
    private final class WriteState: @unchecked Sendable {
        var error: Error?
    }

    /// Renders `events` through `render` (which appends a row, or nothing to skip the event, and returns
    /// whether it wrote one) into `file`; returns the number of rows written.
    /// `unit` names the rows in the progress line (`events`, or `findings` for the indexes of findings).
    static func write(_ events: [EventID], to file: ExportFile, label: String, unit: String = "events", in ctx: CommandContext,
                      render: @escaping (EventID, inout ExportBytes) -> Bool) throws -> Int {
        let progress = ctx.session.workProgress
        let blocks = [Block(), Block()]
        let writer = DispatchQueue(label: "exhunt.export.writer")
        let pending = DispatchGroup()
        let state = WriteState()
        var written = 0, next = 0, turn = 0
        defer {
            pending.wait()
            progress?(WorkProgress(label: label, done: next, total: events.count, unit: unit, finished: true))
        }
        while next < events.count {
            let end = min(events.count, next + chunk * lanes)
            let slice = events[next..<end]
            let block = blocks[turn]
            block.used = (slice.count + chunk - 1) / chunk
            let parts = block.parts, counts = block.rows
            DispatchQueue.concurrentPerform(iterations: block.used) { k in
                let lo = slice.startIndex + k * chunk
                parts[k].bytes.removeAll(keepingCapacity: true)     // the lane's buffer, kept from earlier blocks
                var rows = 0
                for e in slice[lo..<min(slice.endIndex, lo + chunk)] where render(e, &parts[k]) { rows += 1 }
                counts[k] = rows
            }
            // The other block was being written meanwhile: it must be out before this one is queued.
            pending.wait()
            if let error = state.error { throw error }
            written += block.rows[0..<block.used].reduce(0, +)
            if file.toStandardOutput {
                // The session's output is used from one thread, the shell's; a pipe's reader sets the pace anyway.
                for k in 0..<block.used { try file.write(block.parts[k].bytes) }
            } else {
                pending.enter()
                writer.async {
                    defer { pending.leave() }
                    do { for k in 0..<block.used { try file.write(block.parts[k].bytes) } } catch { state.error = error }
                }
            }
            turn ^= 1
            next = end
            progress?(WorkProgress(label: label, done: next, total: events.count, unit: unit))
            try ctx.checkCancelled()
        }
        pending.wait()
        if let error = state.error { throw error }
        return written
    }
}

import Dispatch
import ExchangeEvidence

/// Writes one row per event, rendered on all cores a block at a time and written in the given order, with
/// progress on stderr and Ctrl-C checked between blocks. Every event export uses it.
enum ExportRows {
    /// Events per task: large enough to amortise the task, small enough to keep both cores busy.
    static let chunk = 16_384
    static let lanes = 8

    /// Renders `events` through `render` (which appends a row, or nothing to skip the event, and returns
    /// whether it wrote one) into `file`; returns the number of rows written.
    static func write(_ events: [EventID], to file: ExportFile, label: String, in ctx: CommandContext,
                      render: @escaping (EventID, inout ExportBytes) -> Bool) throws -> Int {
        let progress = ctx.session.workProgress
        var written = 0, next = 0
        defer { progress?(WorkProgress(label: label, done: next, total: events.count, unit: "events", finished: true)) }
        while next < events.count {
            let end = min(events.count, next + chunk * lanes)
            let block = events[next..<end]
            var parts = [(bytes: [UInt8], rows: Int)](repeating: ([], 0), count: (block.count + chunk - 1) / chunk)
            parts.withUnsafeMutableBufferPointer { slots in
                let out = slots
                DispatchQueue.concurrentPerform(iterations: out.count) { k in
                    let lo = block.startIndex + k * chunk
                    var buffer = ExportBytes(capacity: chunk * 256)
                    var rows = 0
                    for e in block[lo..<min(block.endIndex, lo + chunk)] where render(e, &buffer) { rows += 1 }
                    out[k] = (buffer.bytes, rows)
                }
            }
            for part in parts {
                try file.write(part.bytes)
                written += part.rows
            }
            next = end
            progress?(WorkProgress(label: label, done: next, total: events.count, unit: "events"))
            try ctx.checkCancelled()
        }
        return written
    }
}

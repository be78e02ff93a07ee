import ExchangeEvidence
import InvestigationShell
import Foundation

/// Draws the progress of loads and other long commands (exports) on stderr (terminal only), once the work
/// has run for a second.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Date?
    private var drawn = false

    func update(_ p: LoadProgress) {
        draw(finished: p.finished) { elapsed in
            let rate = elapsed > 0 ? Double(p.bytesDone) / 1_048_576 / elapsed : 0
            return String(format: "\r[%@] %d/%d files  %.0f/%.0f MiB  %d events  %.0f MiB/s ",
                          self.bar(p.bytesTotal > 0 ? Double(p.bytesDone) / Double(p.bytesTotal) : 1), p.filesDone, p.filesTotal,
                          Double(p.bytesDone) / 1_048_576, Double(p.bytesTotal) / 1_048_576, p.events, rate)
        }
    }

    func update(_ p: WorkProgress) {
        draw(finished: p.finished) { elapsed in
            String(format: "\r%@ [%@] %d/%d %@  %.0f/s ", p.label, self.bar(p.total > 0 ? Double(p.done) / Double(p.total) : 1),
                   p.done, p.total, p.unit, elapsed > 0 ? Double(p.done) / elapsed : 0)
        }
    }

    /// The timing both kinds of progress share: nothing in the first second, then `text(elapsed)` redrawn in
    /// place, and a newline when the work ends (only if something was drawn).
    private func draw(finished: Bool, _ text: (TimeInterval) -> String) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let start = started ?? now
        started = start
        if finished {
            if drawn { TerminalOutput.writeStderr("\n") }
            drawn = false
            started = nil
            return
        }
        let elapsed = now.timeIntervalSince(start)
        guard elapsed >= 1 || drawn else { return }
        TerminalOutput.writeStderr(text(elapsed))
        drawn = true
    }

    private func bar(_ fraction: Double) -> String {
        let width = 24
        let filled = min(width, max(0, Int(fraction * Double(width))))
        return String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    }
}

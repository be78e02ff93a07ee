import Glibc

/// Standard input's lines as they arrive, for commands piped to exhunt: each runs when its line is complete,
/// not when input ends (a coprocess, `tail -f cmds | exhunt`), and input is never held whole (`yes | exhunt`).
///
/// A signal interrupts the read (`Interrupt` installs its handlers without `SA_RESTART`): SIGINT, SIGTERM or
/// SIGHUP while waiting for a line ends the input, and exhunt then ends with 128 + the signal.
struct StandardInputLines {
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    /// The next line without its `\n` (a `\r` before it is the script runner's to drop), or nil at the end of
    /// input, on a read error or once a signal arrived. A last line without `\n` is still a line.
    mutating func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line
            }
            if ended {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return String(decoding: buffer[start...], as: UTF8.self)
            }
            buffer.removeFirst(start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n > 0 { buffer += chunk[..<n]; continue }
            if n < 0 && errno == EINTR && !Interrupt.isSet { continue }
            ended = true
            if n < 0 { start = buffer.count }       // an interrupted or failed read ends the input where it is
        }
    }
}

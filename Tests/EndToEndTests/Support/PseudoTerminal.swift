import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives the real `exhunt` through a pseudo-terminal, as a user at a keyboard would (swift-repl.md §1.12):
/// type only after the prompt is shown *and* libedit has switched the tty to raw mode, check for expected
/// text before each read, and never wait without a timeout.
final class PseudoTerminal {
    private var master: Int32 = -1
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    /// Everything the shell wrote, decoded as a whole (a character may span two reads).
    var screen: String { String(decoding: output, as: UTF8.self) }
    private var output: [UInt8] = []
    private var hasExited = false

    init(arguments: [String] = [], environment: [String: String]) throws {
        var slave: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw POSIXError(.EIO) }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        // Foundation's Process does not give the child a controlling terminal, so Ctrl-C typed on the pty
        // would signal nobody. `setsid --ctty` makes the pty the controlling terminal of a new session, as a
        // terminal emulator does; `--wait` passes the exit status through.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--ctty", "--wait", ExhuntProcess.binary.path] + arguments
        process.currentDirectoryURL = ExhuntProcess.repoRoot
        process.environment = ["TERM": "xterm", "LANG": "C.UTF-8", "NO_COLOR": "1",
                               "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(environment) { $1 }
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        process.terminationHandler = { [exited] _ in exited.signal() }   // waitUntilExit() hangs under Swift Testing
        try process.run()
        close(slave)
    }

    deinit {
        if process.isRunning && !hasExited { process.terminate() }
        close(master)
    }

    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads until `needle` has appeared `occurrences` times on the screen, or `timeout` passes.
    @discardableResult
    func readUntil(_ needle: String, occurrences: Int = 1, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if screen.components(separatedBy: needle).count - 1 >= occurrences { return true }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            readAvailable(waitingMs: Int32(min(left, 0.2) * 1000))
        }
    }

    /// Waits for the prompt's `occurrences`-th appearance and for libedit to put the tty in raw mode.
    func expectPrompt(_ prompt: String = "exhunt> ", occurrences: Int, timeout: Double = 10) -> Bool {
        guard readUntil(prompt, occurrences: occurrences, timeout: timeout) else { return false }
        let deadline = Date().addingTimeInterval(timeout)
        var t = termios()
        while Date() < deadline {
            if tcgetattr(master, &t) == 0 && (t.c_lflag & tcflag_t(ICANON)) == 0 { return true }
            readAvailable(waitingMs: 10)
        }
        return false
    }

    /// Waits for the process to end, draining its output meanwhile; nil on timeout.
    func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if exited.wait(timeout: .now() + 0.05) == .success {
                hasExited = true
                readAvailable(waitingMs: 0)
                return process.terminationStatus
            }
            readAvailable(waitingMs: 0)
        }
        return nil
    }

    private func readAvailable(waitingMs: Int32) {
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, waitingMs) > 0, fds.revents & Int16(POLLIN) != 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &buffer, buffer.count)
        if n > 0 { output += buffer[0..<n] }
    }
}

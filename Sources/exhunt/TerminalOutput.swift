import Foundation
import InvestigationShell

/// Writes results to stdout and diagnostics to stderr. In the interactive shell, a command's results that
/// do not fit on the screen go through a pager (`$PAGER`, else `less`), as psql and git do; scripts, pipes
/// and `-c` never page.
final class TerminalOutput: OutputSink {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    private var paging = false
    private var pending: [String] = []
    private var pendingLines = 0
    private var pager: Pager?

    func write(_ text: String) {
        guard paging else { return FileHandle.standardOutput.write(Data(text.utf8)) }
        if let pager { return pager.write(text) }
        pending.append(text)
        pendingLines += text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        if pendingLines >= Self.rows() - 1, let started = Pager.start() {
            pager = started
            for chunk in pending { started.write(chunk) }
            pending = []
        }
    }

    func diagnostic(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    /// Starts collecting a command's results (interactive use on a terminal only).
    func beginCommand() {
        paging = isTerminal && ProcessInfo.processInfo.environment["PAGER"] != ""
    }

    /// Prints what fitted on the screen, or waits for the pager to be closed.
    func endCommand() {
        if let pager { pager.finish() } else { for chunk in pending { FileHandle.standardOutput.write(Data(chunk.utf8)) } }
        pager = nil
        pending = []
        pendingLines = 0
        paging = false
    }

    static func rows() -> Int {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 2 ? Int(size.ws_row) : 24
    }
}

/// A running pager fed through a pipe. Quitting it early is normal: writes then stop quietly.
///
/// Started with `posix_spawn`, not Foundation's `Process`, which puts the child in a new session: a pager
/// there has no terminal to read keys from and exits at once.
final class Pager {
    private let pid: pid_t
    private let fd: Int32
    private var open = true

    /// `$PAGER` (run by /bin/sh, as git does), else `less` with `-FX` (quit if one screen, keep the text).
    static func start() -> Pager? {
        let env = ProcessInfo.processInfo.environment
        let command = env["PAGER"] ?? "less"
        var environment = env
        if environment["LESS"] == nil { environment["LESS"] = "FX" }
        environment["LESSSECURE"] = "1"           // no shell escapes or editing from inside the pager
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        close(fds[0])
        guard rc == 0 else { close(fds[1]); return nil }
        return Pager(pid: pid, fd: fds[1])
    }

    private init(pid: pid_t, fd: Int32) {
        self.pid = pid
        self.fd = fd
    }

    func write(_ text: String) {
        guard open else { return }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { open = false; return }     // the pager was quit (EPIPE): stop writing
            offset += n
        }
    }

    func finish() {
        close(fd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}

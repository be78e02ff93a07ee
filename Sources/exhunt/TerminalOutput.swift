import Foundation
import InvestigationShell

/// Writes results to stdout and diagnostics to stderr. In the interactive shell, a command's results that
/// do not fit on the screen go through a pager (`$PAGER`, else `less`), as psql and git do; scripts, pipes
/// and `-c` never page.
///
/// A reader that goes away (`exhunt -c timeline | head -2`) ends the process quietly with status 141, as a
/// program killed by SIGPIPE would: SIGPIPE itself is ignored (the pager may be quit early), so the failed
/// write is what tells. Foundation's `FileHandle.write` would trap on that error with a backtrace.
final class TerminalOutput: OutputSink {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    private var paging = false
    /// What a paged command wrote while it might still fit on the screen, both streams in order.
    private var pending: [(toStdout: Bool, text: String)] = []
    private var pendingLines = 0
    private var pager: Pager?

    func write(_ text: String) {
        guard paging else { return Self.writeStdout(text) }
        if let pager { return pager.write(text) }
        pending.append((true, text))
        pendingLines += text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        if pendingLines >= Self.rows() - 1, let started = Pager.start() {
            pager = started
            for chunk in pending where chunk.toStdout { started.write(chunk.text) }
            pending.removeAll { $0.toStdout }
        }
    }

    /// Diagnostics of a paged command (its timer, its error) wait for its results, so they come after them.
    func diagnostic(_ text: String) {
        if paging { pending.append((false, text)) } else { Self.writeStderr(text) }
    }

    /// Starts collecting a command's results (interactive use on a terminal only).
    func beginCommand() {
        paging = isTerminal && ProcessInfo.processInfo.environment["PAGER"] != ""
    }

    /// Prints what fitted on the screen, or waits for the pager to be closed; then the command's diagnostics.
    func endCommand() {
        pager?.finish()
        for chunk in pending { chunk.toStdout ? Self.writeStdout(chunk.text) : Self.writeStderr(chunk.text) }
        pager = nil
        pending = []
        pendingLines = 0
        paging = false
    }

    static func rows() -> Int {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 2 ? Int(size.ws_row) : 24
    }

    /// Columns of the terminal on stdout, or nil when stdout is no terminal.
    static func columns() -> Int? {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
    }

    /// Writes to stdout; a closed reader ends the process with 141 and no message. Any other failure (a full
    /// disk, a closed descriptor) is remembered: the results are incomplete, and the exit status must say so.
    static func writeStdout(_ text: String) {
        guard !RawWrite.all(STDOUT_FILENO, text) else { return }
        if errno == EPIPE { _exit(141) }
        if stdoutError == nil { stdoutError = errno }
    }

    /// The first error writing stdout (errno), if any. Written only by the main thread, which writes the output.
    nonisolated(unsafe) static var stdoutError: Int32?

    var writeError: Int32? { Self.stdoutError }

    /// Where stdout is a regular file (`> FILE`, `>> FILE`), its path: the descriptor's link in /proc on Linux,
    /// F_GETPATH on Darwin. Nil for a terminal, a pipe, a device (`/dev/null`), or a path that cannot be told.
    var regularFilePath: String? {
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(STDOUT_FILENO)", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A file removed since it was opened reads "/x (deleted)": no longer anywhere a load could read it from.
        return path.hasPrefix("/") && !path.hasSuffix(" (deleted)") ? path : nil
        #elseif canImport(Darwin)
        var buffer = [CChar](repeating: 0, count: Int(MAXPATHLEN))
        guard fcntl(STDOUT_FILENO, F_GETPATH, &buffer) != -1 else { return nil }
        return String(cString: buffer)
        #else
        return nil
        #endif
    }

    /// Writes to stderr; a failure there has nowhere to be reported, so it is ignored.
    static func writeStderr(_ text: String) { _ = RawWrite.all(STDERR_FILENO, text) }
}

/// `write(2)` of a whole text, retrying short writes and EINTR. False (with `errno` set) on failure.
enum RawWrite {
    static func all(_ fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }
}

/// A running pager fed through a pipe. Quitting it early is normal: writes then stop quietly.
///
/// Started with `posix_spawn`, not Foundation's `Process`, which puts the child in a new session: a pager
/// there has no terminal to read keys from and exits at once.
final class Pager {
    private let pid: pid_t
    private let fd: Int32
    /// False when the pager may not understand colour escapes: they are then removed from what it is sent.
    private let keepsColour: Bool
    private var open = true

    /// `$PAGER` (run by /bin/sh, as git does), else `less`; `LESS` defaults to `FRX` (quit if one screen, show
    /// colour, keep the text on the screen). Colour is sent only to a `less` whose `LESS` has `R`.
    static func start() -> Pager? {
        let env = ProcessInfo.processInfo.environment
        let command = env["PAGER"] ?? "less"
        var environment = env
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        environment["LESSSECURE"] = "1"           // no shell escapes or editing from inside the pager
        let isLess = command.split(separator: " ").first.map { $0 == "less" || $0.hasSuffix("/less") } ?? false
        let keepsColour = isLess && (environment["LESS"] ?? "").contains("R")
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
        return Pager(pid: pid, fd: fds[1], keepsColour: keepsColour)
    }

    private init(pid: pid_t, fd: Int32, keepsColour: Bool) {
        self.pid = pid
        self.fd = fd
        self.keepsColour = keepsColour
    }

    func write(_ text: String) {
        guard open else { return }
        if !RawWrite.all(fd, keepsColour ? text : Style.plain(text)) { open = false }   // the pager was quit (EPIPE)
    }

    func finish() {
        close(fd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}

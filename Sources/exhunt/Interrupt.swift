import Glibc
import Synchronization

/// Ctrl-C handling: the handler only sets a flag (no SA_RESTART), so a blocked read returns, the line
/// editor gives a fresh prompt, and long commands stop at their next check. The shell is never killed.
///
/// The handler also writes a byte to a pipe, so the line editor can wait for a key *or* a Ctrl-C in one
/// `poll`: a flag alone is missed when the signal arrives between two reads (or on another thread), and
/// then the next read blocks with the Ctrl-C already spent.
///
/// SIGTERM and SIGHUP (a scheduler's timeout, a closed terminal) stop the running command the same way, so
/// an export removes its `.partial` file, and then end exhunt with 128 + the signal, even at a prompt. A
/// second one ends the process at once, for a command that does not check.
enum Interrupt {
    static let flag = Atomic<Bool>(false)
    /// SIGTERM or SIGHUP once one arrived, else 0.
    static let termination = Atomic<Int32>(0)
    /// The pipe's write end (for the handler) and read end (for `poll`), -1 until `install`.
    static let wakeWriter = Atomic<Int32>(-1)
    static let wakeReader = Atomic<Int32>(-1)

    static func install() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)   // the handler must never block
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeReader.store(fds[0], ordering: .relaxed)
            wakeWriter.store(fds[1], ordering: .relaxed)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let saved = errno                     // the interrupted code may be about to read errno
            Interrupt.flag.store(true, ordering: .sequentiallyConsistent)
            var byte: UInt8 = 1
            let fd = Interrupt.wakeWriter.load(ordering: .relaxed)
            if fd >= 0 { _ = write(fd, &byte, 1) }    // a full pipe already wakes the reader
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        var ending = sigaction()
        ending.__sigaction_handler.sa_handler = { signal in
            if Interrupt.termination.exchange(signal, ordering: .sequentiallyConsistent) != 0 { _exit(128 + signal) }
            let saved = errno
            Interrupt.flag.store(true, ordering: .sequentiallyConsistent)
            var byte: UInt8 = 1
            let fd = Interrupt.wakeWriter.load(ordering: .relaxed)
            if fd >= 0 { _ = write(fd, &byte, 1) }
            errno = saved
        }
        sigemptyset(&ending.sa_mask)
        ending.sa_flags = 0
        sigaction(SIGTERM, &ending, nil)
        sigaction(SIGHUP, &ending, nil)
        // A parent may start us with these blocked (Foundation's Process passes on its thread's mask);
        // a blocked SIGINT would make Ctrl-C do nothing at all, a blocked SIGTERM a scheduler's stop.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isSet: Bool { flag.load(ordering: .sequentiallyConsistent) }
    /// The SIGTERM or SIGHUP that asked exhunt to end, or nil.
    static var terminatingSignal: Int32? {
        let s = termination.load(ordering: .sequentiallyConsistent)
        return s == 0 ? nil : s
    }
    /// Reads and clears the flag.
    static func consume() -> Bool { flag.exchange(false, ordering: .relaxed) }

    /// Empties the wake-up pipe (bytes of Ctrl-Cs already handled elsewhere are stale).
    static func drainWakeups() {
        let fd = wakeReader.load(ordering: .relaxed)
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fd, &buffer, buffer.count) > 0 {}
    }
}

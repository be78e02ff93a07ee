import Glibc
import Synchronization

/// Ctrl-C handling: the handler only sets a flag (no SA_RESTART), so a blocked read returns, the line
/// editor gives a fresh prompt, and long commands stop at their next check. The shell is never killed.
enum Interrupt {
    static let flag = Atomic<Bool>(false)

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent may start us with SIGINT blocked (Foundation's Process passes on its thread's mask);
        // a blocked SIGINT would make Ctrl-C do nothing at all.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isSet: Bool { flag.load(ordering: .relaxed) }
    /// Reads and clears the flag.
    static func consume() -> Bool { flag.exchange(false, ordering: .relaxed) }
}

import CEditLine
import Glibc
import InvestigationShell

/// Interactive line input through libedit's native API: emacs editing, persistent history, Tab completion
/// from the shell's `Completer`. Used only when stdin and stdout are both terminals.
final class EditLineReader {
    private let el: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    private let historyFile: String?
    private let completer: Completer
    private var prompt: UnsafeMutablePointer<CChar>? = strdup("exhunt> ")
    /// The terminal opened again, non-blocking, for `readCharacter`; -1 when that failed (libedit reads itself).
    private let input: Int32

    init(historyFile: String?, completer: Completer) {
        setlocale(LC_CTYPE, "")          // without it libedit drops non-ASCII input
        self.historyFile = historyFile
        self.completer = completer
        // A file description of our own: O_NONBLOCK on stdin's would also reach the shell that started us.
        input = open("/proc/self/fd/\(STDIN_FILENO)", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        el = el_init("exhunt", ceditline_stdin(), ceditline_stdout(), ceditline_stderr())
        history = history_init()
        _ = ceditline_history_setsize(history, &event, 2000)
        _ = ceditline_history_setunique(history, &event, 1)
        if let historyFile { _ = ceditline_history_load(history, &event, historyFile) }
        _ = ceditline_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = ceditline_set_editor(el, "emacs")
        _ = ceditline_set_signal(el, 1)
        if input >= 0 {
            _ = ceditline_set_getc(el) { el, c in
                guard let el, let me = EditLineReader.from(el) else { errno = EIO; return -1 }
                return me.readCharacter(into: c)
            }
        }
        _ = ceditline_set_prompt(el) { el in
            guard let el, let me = EditLineReader.from(el) else { return nil }
            return me.prompt
        }
        _ = ceditline_set_history(el, history)
        _ = ceditline_add_function(el, "exhunt-complete", "complete a command, option or path") { el, _ in
            guard let el, let me = EditLineReader.from(el) else { return UInt8(CC_ERROR) }
            return me.complete()
        }
        _ = ceditline_bind(el, "^I", "exhunt-complete")
        _ = el_source(el, nil)
    }

    deinit {
        if input >= 0 { close(input) }
        el_end(el)
        history_end(history)
        free(prompt)
    }

    static func from(_ el: OpaquePointer) -> EditLineReader? {
        guard let p = ceditline_get_clientdata(el) else { return nil }
        return Unmanaged<EditLineReader>.fromOpaque(p).takeUnretainedValue()
    }

    /// The next line, "" after Ctrl-C (a fresh prompt), or nil at Ctrl-D.
    func readLine(prompt text: String) -> String? {
        free(prompt)
        prompt = strdup(text)
        var count: Int32 = 0
        guard let line = el_gets(el, &count), count > 0 else {
            if Interrupt.consume() { fputs("^C\n", ceditline_stdout()); return "" }
            return nil
        }
        var s = String(cString: line)
        if s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    /// libedit's character source (`EL_GETCFN`): one character from the terminal, decoded in the locale's
    /// encoding as libedit's own reader does; -1 with `EINTR` once Ctrl-C was pressed.
    ///
    /// libedit's reader only notices Ctrl-C when the signal interrupts its `read()`. A Ctrl-C that arrives
    /// while it is echoing the previous key sets the flag but interrupts nothing, and the next `read()`
    /// then blocks. Here the wait is a `poll` on the terminal and the interrupt pipe, with the flag checked
    /// before every wait, so a Ctrl-C is seen whenever it comes. The read itself must not block: the
    /// terminal discards unread input when Ctrl-C is typed, so input `poll` saw can be gone by the `read`
    /// (hence the non-blocking descriptor of our own). Signals that are no Ctrl-C (window size, continue
    /// after Ctrl-Z) only restart the wait; libedit's handler has already resized or redrawn the line. Unlike
    /// libedit's reader this cannot re-arm libedit's handlers (`sig_set` is private), so a second resize or
    /// Ctrl-Z while editing the same line gets the default action; every new prompt re-arms them.
    private func readCharacter(into c: UnsafeMutablePointer<wchar_t>?) -> Int32 {
        var pending = [CChar]()                   // bytes of a multi-byte character read so far
        while true {
            Interrupt.drainWakeups()
            if Interrupt.isSet { errno = EINTR; return -1 }
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: Interrupt.wakeReader.load(ordering: .relaxed), events: Int16(POLLIN), revents: 0)]
            if poll(&fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return -1
            }
            guard fds[0].revents != 0 else { continue }      // woken by the pipe: the flag decides
            var byte: CChar = 0
            let n = read(input, &byte, 1)
            if n == 0 { return 0 }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return -1
            }
            pending.append(byte)
            decode: while !pending.isEmpty {
                var wide: wchar_t = 0
                var state = mbstate_t()
                switch mbrtowc(&wide, pending, pending.count, &state) {
                case -2:              // incomplete: read the next byte
                    if pending.count >= 16 { pending.removeAll() }   // MB_LEN_MAX: give up on it
                    break decode
                case -1:              // invalid: drop it; its last byte may start a character
                    pending = pending.count > 1 ? [pending[pending.count - 1]] : []
                default:
                    c?.pointee = wide
                    return 1
                }
            }
        }
    }

    func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        _ = ceditline_history_enter(history, &event, trimmed)
        if let historyFile { _ = ceditline_history_save(history, &event, historyFile) }
    }

    private func complete() -> UInt8 {
        guard let info = el_line(el)?.pointee else { return UInt8(CC_ERROR) }
        let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: info.cursor - info.buffer), as: UTF8.self)
        let word = before.last == " " ? "" : String(before.split(separator: " ").last ?? "")
        let matches = completer.complete(before).filter { $0.hasPrefix(word) }
        switch matches.count {
        case 0:
            return UInt8(CC_REFRESH_BEEP)
        case 1:
            let m = matches[0]
            _ = el_insertstr(el, String(m.dropFirst(word.count)) + (m.hasSuffix("/") ? "" : " "))
            return UInt8(CC_REFRESH)
        default:
            var common = matches[0]
            for m in matches.dropFirst() { while !m.hasPrefix(common) { common.removeLast() } }
            if common.count > word.count {
                _ = el_insertstr(el, String(common.dropFirst(word.count)))
                return UInt8(CC_REFRESH)
            }
            fputs("\n" + matches.map { TerminalText.escape($0) }.joined(separator: "  ") + "\n", ceditline_stdout())
            fflush(ceditline_stdout())
            return UInt8(CC_REDISPLAY)
        }
    }
}

import Foundation

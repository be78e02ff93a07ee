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

    init(historyFile: String?, completer: Completer) {
        setlocale(LC_CTYPE, "")          // without it libedit drops non-ASCII input
        self.historyFile = historyFile
        self.completer = completer
        el = el_init("exhunt", ceditline_stdin(), ceditline_stdout(), ceditline_stderr())
        history = history_init()
        _ = ceditline_history_setsize(history, &event, 2000)
        _ = ceditline_history_setunique(history, &event, 1)
        if let historyFile { _ = ceditline_history_load(history, &event, historyFile) }
        _ = ceditline_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = ceditline_set_editor(el, "emacs")
        _ = ceditline_set_signal(el, 1)
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

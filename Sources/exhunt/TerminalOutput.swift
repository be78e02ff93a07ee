import Foundation
import InvestigationShell

/// Writes results to stdout and diagnostics to stderr, unbuffered enough for interactive use.
final class TerminalOutput: OutputSink {
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    func diagnostic(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

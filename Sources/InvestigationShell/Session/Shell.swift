import ExchangeEvidence
import Foundation

/// Runs command lines: interactive input, `-c`, command files and `source` all go through `execute`,
/// so a replayed investigation behaves exactly as typed.
public final class Shell {
    public let session: Session

    public init(session: Session) { self.session = session }

    /// Options every command accepts.
    static let commonOptions: [OptionSpec] = [
        .flag("json", "print JSON instead of a table"),
        .flag("help", short: "h", "show this command's help"),
    ]

    /// Runs every command on one line, each observed on its own (the case's audit log, a recording, a lesson,
    /// the provenance), so a failing command is logged alone and the line's other commands as what they did.
    /// Stops at the first failure and throws it, unless `keepGoing`: then the rest of the line runs too and
    /// the failures are returned, in order, each also given to `failed` as it happens (so its message comes
    /// before the next command's output). `echo` sees each command before it runs.
    @discardableResult
    public func execute(_ line: String, keepGoing: Bool = false, echo: ((String) -> Void)? = nil,
                        failed: ((Error) -> Void)? = nil) throws -> [Error] {
        let segments: [String]
        do { segments = try Tokenizer.segments(line) } catch {
            for observe in session.observers { observe(line, error) }
            throw error
        }
        var failures: [Error] = []
        for (k, segment) in segments.enumerated() {
            let command = segment.trimmingCharacters(in: .whitespaces)
            if !command.isEmpty { echo?(command) }
            session.replay = nil
            do {
                // Variables are expanded per command, so an earlier command on the line can set them.
                guard let words = try Tokenizer.commands(segment, variables: { [session] name in session.variables[name] }).first else {
                    continue
                }
                if session.settings.timer {
                    let clock = RunClock()
                    defer { session.output.diagnostic(clock.report() + "\n") }
                    try run(words)
                } else {
                    try run(words)
                }
            } catch {
                for observe in session.observers { observe(command, error) }
                if !keepGoing || error is Interrupted { throw error }
                failed?(error)
                failures.append(error)
                continue
            }
            for observe in session.observers { observe(command, nil) }
            if session.quitRequested { break }
            // Ctrl-C stops the line here: the next command must not run on what an interrupted one left
            // (a load cut short would be hunted as if complete).
            if session.isCancelled() && k < segments.count - 1 { throw Interrupted() }
        }
        return failures
    }

    /// A failure whose cause was already reported where it happened (a `source` nested in a sourced file): it
    /// counts, but is not printed again at every level (a file sourcing itself printed 17 copies; reviewer).
    public struct AlreadyReported: Error, CustomStringConvertible {
        public var description: String
    }

    /// Ctrl-C between the commands of a line or a script: the rest does not run, whatever `keepGoing` says.
    public struct Interrupted: Error, CustomStringConvertible {
        public var description: String { "interrupted: the commands after it did not run" }
    }

    /// Runs one tokenized command.
    public func run(_ words: [String]) throws {
        guard var name = words.first else { return }
        var rest = Array(words.dropFirst())
        if name.hasSuffix("?") && name.count > 1 {          // `load?` is `help load`
            rest = [String(name.dropLast())]
            name = "help"
        }
        let command = try session.registry.find(name)
        let specs = command.options + Shell.commonOptions
        let args = try Arguments.parse(rest, specs: specs, command: command.name)
        if let limit = command.positionalLimit, args.positional.count > limit {
            let extra = args.positional[limit]
            let hint = [">", ">>", "|", "<"].contains(where: { extra.hasPrefix($0) })
                ? " (the shell has no redirection or pipes: use --json with exhunt -c in your own shell, or export)" : ""
            throw ShellError("\(command.name): unexpected argument '\(TerminalText.escape(extra))'\(hint); usage: \(command.usage)")
        }
        if args.flag("help") {
            try session.registry.find("help").run(try Arguments.parse([command.name], specs: [], command: "help"),
                                                  in: CommandContext(session: session, args: args))
            return
        }
        let check = EvidenceCheck(session: session)
        if command.readsEvidence(args) { check.reportChangedFiles() }
        defer { check.afterCommand() }
        try command.run(args, in: CommandContext(session: session, args: args))
    }

    /// How a script run ended.
    public struct ScriptResult: Equatable {
        public var failures: Int
        /// `FILE:LINE: message` of the first failure.
        public var firstError: String?
        /// Ctrl-C stopped the script: the lines after the interrupted command did not run.
        public var interrupted = false
    }

    /// Runs a command file. Each line may hold several commands; a line ending in `\` continues.
    /// Stops at the first failure unless `keepGoing`, reporting `NAME:LINE`.
    public func runScript(_ text: String, name: String, echo: Bool, keepGoing: Bool) -> ScriptResult {
        var lines = text.textLines().makeIterator()
        return runScript(lines: { lines.next().map(String.init) }, name: name, echo: echo, keepGoing: keepGoing)
    }

    /// Runs the lines `next` gives, each as soon as it is given: standard input's commands run as they arrive (a
    /// coprocess, `tail -f`), and input is never held whole in memory.
    public func runScript(lines next: () -> String?, name: String, echo: Bool, keepGoing: Bool) -> ScriptResult {
        let keepGoing = keepGoing || session.keepingGoing
        let outer = session.keepingGoing
        session.keepingGoing = keepGoing
        defer { session.keepingGoing = outer }
        var result = ScriptResult(failures: 0, firstError: nil, interrupted: false)
        var pending = ""
        var startLine = 0
        var number = 0
        while var line = next() {
            number += 1
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { startLine = number }
            if line.hasSuffix("\\") && !line.hasSuffix("\\\\") {
                pending += line.dropLast() + " "
                continue
            }
            let full = pending + line
            pending = ""
            let trimmed = full.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            // Each command is echoed before it runs, and each failure reported when it happens. Like `sh -x`, the
            // echo goes to stderr: stdout stays the commands' results, so `--echo … --json | jq` still parses.
            func report(_ error: Error) {
                let message = "\(name):\(startLine): \(error)"
                if !(error is AlreadyReported) { session.output.diagnostic("error: \(TerminalText.message(message))\n") }
                result.failures += 1
                if result.firstError == nil { result.firstError = message }
            }
            let output = session.output
            let shown: ((String) -> Void)? = echo ? { output.diagnostic("+ " + TerminalText.escape($0) + "\n") } : nil
            do { try execute(full, keepGoing: keepGoing, echo: shown, failed: report) } catch is Interrupted {
                result.interrupted = true
                return result
            } catch {
                report(error)
                if !keepGoing { return result }
            }
            // A case written by a script is in its file after each command, not only in `-wal` until exit (reviewer:
            // a copy of the file taken meanwhile was an empty database), as at the interactive prompt.
            CaseState.of(session).checkpoint()
            if session.quitRequested { break }
            // Ctrl-C during the last command ends nothing more; before other lines, those did not run.
            if session.isCancelled() {
                if next() == nil { break }
                result.interrupted = true
                return result
            }
        }
        // A last line ending in `\` continued into nothing: the command it began did not run, and says so.
        if !pending.isEmpty && !session.quitRequested {
            let message = "\(name):\(startLine): the command ends in '\\' but nothing follows it; not run"
            session.output.diagnostic("error: \(message)\n")
            result.failures += 1
            if result.firstError == nil { result.firstError = message }
        }
        return result
    }
}

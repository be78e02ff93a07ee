/// What Tab completes after a command's name.
public enum ArgumentCompletion: Sendable {
    case none
    case files
    /// These words (`demo` for `load`) and file paths: a command whose argument is a path or a name.
    case wordsAndFiles([String])
    case words([String])
    case commandNames
    case helpTopics
}

/// A shell command. Commands are values registered in `CommandRegistry`; `help`, `CMD --help`,
/// Tab completion and the help-file check all read the same record.
public protocol Command {
    /// The name typed, e.g. `grep-ioc`.
    var name: String { get }
    var aliases: [String] { get }
    /// One line for `help`.
    var summary: String { get }
    /// Usage line, e.g. `load PATH [--name NAME] [--server NAME]`.
    var usage: String { get }
    var options: [OptionSpec] { get }
    var completion: ArgumentCompletion { get }
    /// How many positional arguments the command takes (nil: it checks them itself).
    var positionalLimit: Int? { get }
    /// True when this run will read the evidence's raw bytes in bulk (show, exports, `grep-ioc --raw`): the
    /// shell then first checks that no mapped file changed on disk since it was loaded (see `EvidenceCheck`).
    func readsEvidence(_ args: Arguments) -> Bool
    /// Runs the command. Throw `ShellError` for a failure the user should see.
    func run(_ args: Arguments, in context: CommandContext) throws
}

extension Command {
    public var aliases: [String] { [] }
    public var options: [OptionSpec] { [] }
    public var completion: ArgumentCompletion { .none }
    public var positionalLimit: Int? { nil }
    public func readsEvidence(_ args: Arguments) -> Bool { false }
}

/// Everything a running command may use: the session and the output, plus helpers that apply the
/// session's output mode so every command gets `--json` the same way.
public struct CommandContext {
    public let session: Session
    public let args: Arguments

    public var output: OutputSink { session.output }

    /// True when this invocation should print JSON (`--json`, or `set output json`).
    public var wantsJSON: Bool { args.flag("json") || session.settings.output == .json }

    public func write(_ text: String) { session.output.write(text) }
    public func line(_ text: String = "") { session.output.write(text + "\n") }
    public func diagnostic(_ text: String) { session.output.diagnostic(text + "\n") }

    /// Prints a table, fitted to the terminal's width when results go to one.
    public func table(_ table: TextTable) { session.output.write(table.render(width: session.terminalWidth())) }

    /// A status line (`loaded …`, `wrote …`): shown with the results on a terminal, but sent to stderr when
    /// stdout is a pipe or a file or JSON was asked for, so stdout holds only what the command was asked for.
    public func status(_ text: String) {
        if wantsJSON || !session.output.isTerminal { diagnostic(text) } else { line(text) }
    }

    /// Prints one JSON document: indented, or on one line when the session writes JSON lines (`exhunt --json`).
    /// Written in pieces as it is serialized: a hunt's document can run to hundreds of MB.
    public func json(_ value: JSONValue) {
        let output = session.output
        value.stream(pretty: !session.settings.jsonLines) { output.write($0) }
    }
    /// Prints one JSON line (streams).
    public func jsonLine(_ value: JSONValue) { session.output.write(value.serialized() + "\n") }

    /// Throws if the user pressed Ctrl-C; long loops call it between items.
    public func checkCancelled() throws {
        if session.isCancelled() {
            session.interruptNoticed = true
            throw ShellError("interrupted")
        }
    }

    /// Fails when no evidence is loaded: a hunt or report over nothing must not look like a clean server,
    /// and a script that forgot its `load` must not exit 0.
    public func requireEvidence(_ command: String) throws {
        if session.store.files.isEmpty {
            throw ShellError("\(command): nothing loaded; 'load PATH' or 'load demo' first")
        }
    }
}

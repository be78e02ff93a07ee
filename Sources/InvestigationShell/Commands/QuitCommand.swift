/// `quit [STATUS]`: leaves the shell (Ctrl-D does the same; `exit` too, unless it leaves a lesson first).
/// A status ends exhunt with it, as `exit 3` ends a shell script and `.exit 3` sqlite3: a command file
/// can say why it stopped.
struct QuitCommand: Command {
    var name: String { "quit" }
    var aliases: [String] { [".quit"] }
    var summary: String { "leave the shell" }
    var usage: String { "quit [STATUS]" }
    var positionalLimit: Int? { 1 }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        try Self.leave(args, command: "quit", ctx)
    }

    /// Leaves the shell, with the exit status in `args` when one is given (0–255).
    static func leave(_ args: Arguments, command: String, _ ctx: CommandContext) throws {
        if let word = args.positional.first {
            guard let status = Int32(word), (0...255).contains(status) else {
                throw ShellError("\(command): the exit status must be a number from 0 to 255, not '\(TerminalText.escape(word))'")
            }
            ctx.session.requestedExitStatus = status
        }
        ctx.session.quitRequested = true
    }
}

/// `quit`: leaves the shell (Ctrl-D does the same; `exit` too, unless it leaves a lesson first).
struct QuitCommand: Command {
    var name: String { "quit" }
    var aliases: [String] { [".quit"] }
    var summary: String { "leave the shell" }
    var usage: String { "quit" }
    var positionalLimit: Int? { 0 }

    func run(_ args: Arguments, in ctx: CommandContext) throws { ctx.session.quitRequested = true }
}

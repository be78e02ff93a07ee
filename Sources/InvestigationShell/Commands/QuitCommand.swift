/// `quit`: leaves the shell (Ctrl-D does the same).
struct QuitCommand: Command {
    var name: String { "quit" }
    var aliases: [String] { [".quit"] }
    var summary: String { "leave the shell" }
    var usage: String { "quit" }

    func run(_ args: Arguments, in ctx: CommandContext) throws { ctx.session.quitRequested = true }
}

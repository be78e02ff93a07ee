import Foundation

/// `source FILE`: runs a command file inside the session (gdb's `source`, sqlite3's `.read`).
struct SourceCommand: Command {
    var name: String { "source" }
    var aliases: [String] { [".read"] }
    var summary: String { "run the commands in FILE (stops at the first failure unless --keep-going)" }
    var usage: String { "source FILE [--keep-going] [--echo]" }
    var options: [OptionSpec] {
        [.flag("keep-going", "continue after a failing command"), .flag("echo", "print each command before its output, on stderr")]
    }
    var completion: ArgumentCompletion { .files }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard args.positional.count == 1 else { throw ShellError("usage: \(usage)") }
        let path = (args.positional[0] as NSString).expandingTildeInPath
        let text: String
        do { text = try CommandFile.text(path) } catch { throw ShellError("source: \(error)") }
        guard ctx.session.sourceDepth < 16 else { throw ShellError("source: nested too deeply (a file sources itself?)") }
        ctx.session.sourceDepth += 1
        defer { ctx.session.sourceDepth -= 1 }
        let result = Shell(session: ctx.session).runScript(text, name: args.positional[0], echo: args.flag("echo"),
                                                           keepGoing: args.flag("keep-going"))
        if result.interrupted { throw Shell.Interrupted() }
        // The failures were reported where they happened: this only says where the file stopped, or, with
        // --keep-going (which ran the rest), how many failed.
        guard result.failures > 0 else { return }
        let place = result.firstError.map { $0.split(separator: ":", maxSplits: 2).prefix(2).joined(separator: ":") }
        // Inside another sourced file, the outermost `source` says where it stopped; this level counts, silently.
        if ctx.session.sourceDepth > 1 { throw Shell.AlreadyReported(description: "source: stopped at \(place ?? args.positional[0])") }
        if !args.flag("keep-going") && !ctx.session.keepingGoing, let place { throw ShellError("source: stopped at \(place) (the error above)") }
        let count = "\(result.failures) command\(result.failures == 1 ? "" : "s") failed"
        throw ShellError("source: ran to the end; \(count)" + (place.map { ", the first at \($0)" } ?? "") + " (the errors above)")
    }
}

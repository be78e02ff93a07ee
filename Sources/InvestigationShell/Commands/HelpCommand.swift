/// `help [TOPIC]`: the command list, or a help file.
struct HelpCommand: Command {
    var name: String { "help" }
    var aliases: [String] { [".help"] }
    var summary: String { "list commands, or show the help for a command or topic" }
    var usage: String { "help [COMMAND|TOPIC] [--search WORD]" }
    var options: [OptionSpec] { [.value("search", "WORD", "list topics whose help mentions WORD")] }
    var completion: ArgumentCompletion { .helpTopics }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        // Help text is no learner's finding: a lesson's `output` check must not pass on the lesson read back with
        // `help lessons/NAME` (reviewer), as it does not on `hint`.
        let lesson = LessonRun.of(ctx.session)
        lesson.quiet = true
        defer { lesson.quiet = false }
        let library = ctx.session.help
        if let word = args.value("search") {
            let hits = library.search(word)
            if ctx.wantsJSON { ctx.json(.object([("search", .string(word)), ("topics", .strings(hits))])); return }
            if hits.isEmpty { ctx.line("no help topic mentions '\(TerminalText.escape(word))'") }
            for h in hits { ctx.line(h) }
            return
        }
        guard let topic = args.positional.first else {
            let commands = ctx.session.registry.commands
            if ctx.wantsJSON {
                ctx.json(.array(commands.map { .object([("name", .string($0.name)), ("usage", .string($0.usage)),
                                                         ("summary", .string($0.summary))]) }))
                return
            }
            ctx.line("Commands (help COMMAND for details, help TOPIC for topics):")
            let width = commands.map(\.name.count).max() ?? 0
            for c in commands {
                ctx.line("  " + c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.summary)
            }
            let commandNames = Set(commands.map(\.name))
            let topics = library.topics().filter { !commandNames.contains($0) && !LessonHelp.isTopic($0) && !$0.contains("/") && $0 != "help" }
            if !topics.isEmpty { ctx.line("Topics: " + topics.joined(separator: ", ")) }
            ctx.line("Rules: help rules/ID (see 'rules'). Lessons: help lessons lists them, help lessons/NAME reads one, lesson NAME starts it.")
            return
        }
        let name = (try? ctx.session.registry.find(topic).name) ?? topic
        let text: String
        if library.root != nil && LessonHelp.isTopic(name) {
            text = try LessonHelp.text(name, in: library)  // a lesson not there gets `lesson`'s message
        } else if let loaded = LoadedRuleHelp.text(name, ctx.session.ruleLibrary), library.text(name) == nil {
            text = loaded
        } else {
            guard let t = library.text(name) else {
                if library.root == nil { throw ShellError("help files not found: set EXHUNT_HOME to the exhunt folder") }
                let close = topic.lowercased().hasPrefix("rules/")
                    ? ctx.session.ruleSuggestion(String(topic.dropFirst("rules/".count)), typed: { "help rules/" + $0 }) : ""
                throw ShellError("no help for '\(TerminalText.escape(topic))'\(TerminalText.escape(close)); try 'help' or 'help --search \(TerminalText.escape(topic))'")
            }
            text = t
        }
        if ctx.wantsJSON { ctx.json(.object([("topic", .string(name)), ("text", .string(text))])); return }
        let shown = ctx.output.isTerminal ? HelpMarkdown.render(text, color: ctx.session.settings.color) : text
        ctx.write(shown.hasSuffix("\n") ? shown : shown + "\n")
    }
}
import Foundation

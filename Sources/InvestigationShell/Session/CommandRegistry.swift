/// The commands of the shell. A new command is a file in `Commands/`, a help file `help/NAME.md`,
/// and one line here.
public struct CommandRegistry {
    public let commands: [any Command]

    public init(_ commands: [any Command]) { self.commands = commands }

    public static let standard = CommandRegistry([
        // The session and the evidence
        HelpCommand(), LoadCommand(), SourcesCommand(), InfoCommand(), ShowCommand(), SetCommand(),
        // Detection
        HuntCommand(), RulesCommand(), GrepIOCCommand(), IOCCommand(), CheckBuildCommand(),
        // The story and the analyst's decisions
        TimelineCommand(), MarkCommand(), UnmarkCommand(), MarksCommand(), NoteCommand(), CaseCommand(),
        ExportCommand(), ReportCommand(),
        // Scripts and teaching
        SourceCommand(), RecordCommand(),
        LessonCommand(), NextCommand(), BackCommand(), HintCommand(), ExitCommand(),
        QuitCommand(),
    ])

    /// Finds a command by name, alias, or unambiguous prefix (as gdb does).
    public func find(_ word: String) throws -> any Command {
        if let c = commands.first(where: { $0.name == word || $0.aliases.contains(word) }) { return c }
        let prefixed = commands.filter { $0.name.hasPrefix(word) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 {
            throw ShellError("'\(word)' is ambiguous: \(prefixed.map(\.name).joined(separator: ", "))")
        }
        let hint = DidYouMean.hint(word, among: commands.map(\.name))
        throw ShellError("unknown command '\(TerminalText.escape(word))'\(hint); type 'help' for the list")
    }
}

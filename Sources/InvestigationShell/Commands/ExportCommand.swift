import Foundation

/// One thing `export` can write. Each target lives in its own file and is listed in `ExportCommand.targets`.
protocol ExportTarget {
    /// The word after `export`, e.g. `timeline`.
    var name: String { get }
    var summary: String { get }
    var usage: String { get }
    var options: [OptionSpec] { get }
    /// Runs with the target word removed from `args.positional`.
    func run(_ args: Arguments, in ctx: CommandContext) throws
}

/// `export TARGET …`: writes results to files for other tools, dispatching on the first word.
struct ExportCommand: Command {
    /// The export targets; a new target is a file and one line here.
    static let targets: [any ExportTarget] = [
        TimelineExport(),
    ]

    var name: String { "export" }
    var summary: String { "write results for other tools: " + Self.targets.map(\.name).joined(separator: ", ") }
    var usage: String { Self.targets.map(\.usage).joined(separator: "\n       ") }
    var options: [OptionSpec] {
        var seen = Set<String>()
        return Self.targets.flatMap(\.options).filter { seen.insert($0.name).inserted }
    }
    var completion: ArgumentCompletion { .words(Self.targets.map(\.name)) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard let word = args.positional.first else { throw ShellError("usage: \(usage)") }
        guard let target = Self.targets.first(where: { $0.name == word }) else {
            throw ShellError("export: unknown target '\(TerminalText.escape(word))' (targets: \(Self.targets.map(\.name).joined(separator: ", ")))")
        }
        var rest = args
        rest.positional.removeFirst()
        try target.run(rest, in: ctx)
    }
}

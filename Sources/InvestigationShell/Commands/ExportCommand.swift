/// One kind of file `export` writes. Each target lives in its own file under `Commands/Export/` and is
/// listed in `ExportCommand.targets`.
protocol ExportTarget {
    /// The word after `export`.
    var name: String { get }
    var summary: String { get }
    var usage: String { get }
    /// Options the target reads from `ctx.args` (offered by `export`, so the shell accepts them).
    var options: [OptionSpec] { get }
    /// Runs with the words after the target name.
    func run(_ words: [String], in ctx: CommandContext) throws
}

extension ExportTarget {
    var options: [OptionSpec] { [] }
}

/// `export TARGET …`: writes results in another tool's format. The first word picks the target.
struct ExportCommand: Command {
    static let targets: [any ExportTarget] = [ProxyLogonExportTarget(), TimelineExport(), EventsExport(), FindingsExport(), ECSTemplateExport()]

    var name: String { "export" }
    var summary: String { "write results for other tools: " + Self.targets.map(\.name).joined(separator: ", ") }
    var usage: String { Self.targets.map(\.usage).joined(separator: " | ") }
    /// Every target's options, each name once; an option several targets take completes with all their values
    /// (`--format`: csv, jsonl, ndjson), as the target is not known to the completer.
    var options: [OptionSpec] {
        var merged: [OptionSpec] = []
        for option in Self.targets.flatMap(\.options) {
            guard let i = merged.firstIndex(where: { $0.name == option.name }) else { merged.append(option); continue }
            merged[i].choices += option.choices.filter { !merged[i].choices.contains($0) }
        }
        return merged
    }
    var completion: ArgumentCompletion { .words(Self.targets.map(\.name)) }
    func readsEvidence(_ args: Arguments) -> Bool { true }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard let word = args.positional.first else {
            throw ShellError("export: which target? " + Self.targets.map { "'\($0.usage)'" }.joined(separator: ", "))
        }
        guard let target = Self.targets.first(where: { $0.name == word.lowercased() }) else {
            throw ShellError("export: unknown target '\(TerminalText.escape(word))'; targets: " + Self.targets.map(\.name).joined(separator: ", "))
        }
        // `export` accepts every target's options; one another target reads would be ignored without a word.
        let own = Set((target.options + Shell.commonOptions).map(\.name))
        if let stray = args.given.subtracting(own).sorted().first {
            throw ShellError("export \(target.name): --\(stray) does not apply to it; usage: \(target.usage)")
        }
        try target.run(Array(args.positional.dropFirst()), in: ctx)
    }
}

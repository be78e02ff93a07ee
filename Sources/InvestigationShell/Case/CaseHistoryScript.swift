import ExchangeEvidence
import Foundation

/// The case's audit log as a command file `exhunt -f` replays (`case history --as-script FILE`), in the
/// form `record` writes: each command with its time as a comment, failed ones commented out with their error.
///
/// A command that named events by this session's numbers (`mark 3903`, `mark finding F6`) is written as
/// its `replay` form, the events' `FILE:LINE`: on other evidence the numbers name other events, and a replay
/// must fail there rather than mark them. Lines a `source` ran are left out (the `source` line is kept and runs them again), as are `record`
/// commands. Case-file commands (`case new|open|close|…`) are kept as comments: replaying them would
/// reopen this case or refuse to recreate it, where a replay belongs in whichever case is open. So are the
/// commands that wrote files (`report`, `export`): replayed where they ran, they would stop the script at the
/// first file that exists, and the marks after them would be lost (reviewer); with `--force` they would
/// overwrite the deliverables of the first run.
enum CaseHistoryScript {
    struct Result {
        var text: String
        /// Commands written to run, failed ones written as comments, and sourced lines left out.
        var commands = 0
        var failed = 0
        var sourced = 0
        /// Report and export commands written as comments.
        var outputs = 0
        /// Commands written as comments because a value holds a line break (a note given through `--set`), which
        /// one line of a command file cannot hold: replayed flattened, the note would differ (reviewer).
        var lineBreaks = 0
    }

    /// The `$NAME`s a replayed line expands (as the tokenizer reads it: not one inside single quotes, reviewer).
    static func variables(in line: String) -> Set<String> {
        var used: Set<String> = []
        _ = try? Tokenizer.commands(line) { name in used.insert(name); return "" }
        return used
    }

    /// `variables`: the session's `--set` values, written into the replay line for the names the script uses, so
    /// the line the header offers runs (reviewer: it failed with "undefined variable $V").
    static func build(_ entries: [AuditEntry], casePath: String, scriptPath: String, now: Int64,
                      variables: [String: String] = [:]) -> Result {
        var r = Result(text: "")
        var used: Set<String> = []
        var writesCase = false
        var relativePaths = false
        for e in entries {
            if e.depth > 0 { r.sourced += 1; continue }
            let line = e.command.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let segments = (try? Tokenizer.segments(line)) ?? [line]
            let kept = e.error == nil && e.replay != nil ? [e.replay!]
                : segments.filter { !isCaseCommand($0) && !isOutputCommand($0) && !CommandRecorder.isRecordCommand(trimmed($0)) }
            let caseSegments = segments.filter(isCaseCommand)
            let outputSegments = e.replay == nil ? segments.filter(isOutputCommand) : []
            if kept.isEmpty && caseSegments.isEmpty && outputSegments.isEmpty { continue }
            if e.error != nil {
                r.failed += 1
                r.text += CommandRecorder.entry(line, failure: e.error, at: e.time)
                continue
            }
            if !caseSegments.isEmpty {
                r.text += "# \(Timestamp.iso(e.time)) case-file command, not replayed:\n"
                    + caseSegments.map { "# \(CommandRecorder.oneLine(trimmed($0)))\n" }.joined()
            }
            if !outputSegments.isEmpty {
                r.outputs += outputSegments.count
                r.text += "# \(Timestamp.iso(e.time)) wrote a file, not replayed (remove '# ' to write it again):\n"
                    + outputSegments.map { "# \(CommandRecorder.oneLine(trimmed($0)))\n" }.joined()
            }
            if !kept.isEmpty {
                let command = kept.map(trimmed).joined(separator: "; ")
                if command.contains(where: \.isNewline) {
                    r.lineBreaks += 1
                    r.text += CommandRecorder.entry(command, failure: "not replayed: a value holds a line break, which one line of a command file cannot hold", at: e.time)
                    continue
                }
                used.formUnion(Self.variables(in: command))
                writesCase = writesCase || kept.contains(where: writesToCase)
                relativePaths = relativePaths || kept.contains(where: readsRelativePath)
                r.commands += 1
                if e.replay != nil { r.text += CommandRecorder.typedAs(line) }
                r.text += CommandRecorder.entry(command, failure: nil, at: e.time)
            }
        }
        let names = used.sorted()
        let known = names.filter { variables[$0] != nil }
        let sets = known.map { "--set " + Tokenizer.quote("\($0)=\(variables[$0]!)") + " " }.joined()
        r.text = "# exhunt command file, exported from the audit log of case \(CommandRecorder.oneLine(casePath)) "
            + "at \(Timestamp.iso(now))\n# replay: exhunt \(CommandRecorder.oneLine(sets))-f \(Tokenizer.quote(scriptPath))\n"
            + "# lines run by 'source' are not listed (the source line runs them); case-file commands are comments\n"
            + (r.outputs > 0 ? "# so are the report and export commands: a replay writes no file until you remove their '# '\n" : "")
            + (names.isEmpty ? "" : "# this file uses " + names.map { "$" + $0 }.joined(separator: ", ") + ": give "
                + (names.count == 1 ? "it" : "them") + " with --set NAME=VALUE"
                + (known.isEmpty ? "" : " (the replay line gives this session's \(known.count == names.count ? "values" : "values it has"))") + "\n")
            + (relativePaths ? "# relative paths (load, source, rules load) are as typed: run it from the folder they were typed in, "
                + "or edit them\n" : "")
            + (writesCase ? "# its marks and notes go to the case open when it runs (./\(CaseState.defaultPath), created if need be, "
                + "when none is): add 'case new PATH' first to choose\n" : "") + r.text
        return r
    }

    private static func trimmed(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }

    /// `mark` and `note` write to the open case, opening `./exhunt.case` when none is: the header says so,
    /// since a replay started from another folder would otherwise leave a case file there unexpectedly.
    private static func writesToCase(_ segment: String) -> Bool {
        let word = trimmed(segment).prefix { !$0.isWhitespace }
        return word == "mark" || word == "note"
    }

    /// `load`, `source` or `rules load` of a relative path: a replay from another folder would not find it (reviewer:
    /// a handed-over script failed with "no such file or folder"), so the header says where to run it.
    private static func readsRelativePath(_ segment: String) -> Bool {
        guard let words = (try? Tokenizer.commands(segment))?.first, let first = words.first,
              ["load", "source", "rules"].contains(first), let command = try? CommandRegistry.standard.find(first),
              let args = try? Arguments.parse(Array(words.dropFirst()), specs: command.options, command: first) else { return false }
        let paths = first == "rules" ? (args.positional.first == "load" ? args.positional.dropFirst() : []) : args.positional[...]
        return paths.contains { !$0.hasPrefix("/") && !$0.hasPrefix("~") && $0 != "demo" }
    }

    /// `report` and `export`: commands that write files.
    private static func isOutputCommand(_ segment: String) -> Bool {
        let word = trimmed(segment).prefix { !$0.isWhitespace }
        return word == "report" || word == "export"
    }

    private static func isCaseCommand(_ segment: String) -> Bool {
        let t = trimmed(segment)
        return t == "case" || t.hasPrefix("case ") || t.hasPrefix("case\t")
    }
}

import ExchangeEvidence
import Foundation

/// `-` as FILE: the export goes to standard output, so it can be piped (`exhunt -c 'load X; export events -' |
/// curl --data-binary @- …`) without a file on the analyst's disk. Standard output then carries the rows only:
/// the summary and the `--json` object go to stderr. There is no name to read the format from (`--format`), no
/// file to replace (`--force` only replaces a `--provenance FILE`), and no place beside it for the provenance
/// (`--provenance FILE`, else none, said on stderr; the command line is still in the case's audit log and in the
/// provenance of later outputs).
extension ExportFile {
    /// The FILE that means standard output.
    static let standardOutput = "-"

    /// `--format`, for a target writing `formats`.
    static func formatOption(_ formats: [String]) -> OptionSpec {
        .value("format", "FORMAT", "the format when FILE is - (standard output), as a file name's ending picks it", choices: formats)
    }

    static let provenanceOption = OptionSpec.value("provenance", "FILE", "with - (standard output): write the provenance to FILE (NAME\(ExhuntFiles.suffix))")

    /// The format of `word`: FILE's extension, or `--format` for standard output (which needs it when the target
    /// writes more than one format). A `--format` that disagrees with FILE's extension is refused, not ignored.
    static func format(of word: String, among formats: [String], args: Arguments, command: String) throws -> String {
        let listed = formats.joined(separator: " or ")
        let given = args.value("format")
        if let given, !formats.contains(given) {
            throw ShellError("\(command): --format \(TerminalText.escape(given)) is not a format it writes: \(listed)")
        }
        if word == standardOutput {
            if let given { return given }
            if formats.count == 1 { return formats[0] }
            throw ShellError("\(command): standard output (-) has no name to tell the format: give --format \(listed)")
        }
        guard let named = format(of: word, among: formats) else {
            throw ShellError("\(command): the file must end in " + formats.map { "." + $0 }.joined(separator: " or "))
        }
        if let given, given != named {
            throw ShellError("\(command): --format \(given) disagrees with the file's .\(named); the name's ending picks the format (--format is for -)")
        }
        return named
    }

    /// Where a standard-output export's provenance goes: `--provenance FILE`, checked as an export's file is, or nil.
    static func standardOutputProvenance(command: String, in ctx: CommandContext) throws -> String? {
        guard let given = ctx.args.value("provenance") else {
            if ctx.args.flag("force") {
                throw ShellError("\(command): --force replaces an existing file, and standard output (-) is none; "
                                 + "with --provenance FILE it replaces that file")
            }
            return nil
        }
        let path = (given as NSString).expandingTildeInPath
        // The name `load` knows, so a later load of the folder leaves the file out instead of reading it as evidence.
        guard path.hasSuffix(ExhuntFiles.suffix) else {
            throw ShellError("\(command): --provenance \(TerminalText.escape(given)): the name must end in \(ExhuntFiles.suffix), "
                             + "which a later load knows is not evidence")
        }
        try refuseEvidence(path, command: command, in: ctx)
        try OutputPath.check(path, command: command, force: ctx.args.flag("force"))
        return path
    }

    /// Refuses standard output when it is redirected into loaded evidence: `exhunt -c '… export timeline -' >>
    /// EVIDENCE.LOG` writes that file, refused as the file form is, before anything is written (reviewer: the rows
    /// were appended to a loaded log).
    static func refuseRedirectIntoEvidence(command: String, in ctx: CommandContext) throws {
        if let redirected = ctx.output.regularFilePath { try refuseEvidence(redirected, command: command, in: ctx) }
    }

    /// Throws when writing standard output failed (a full disk, a closed descriptor: the sink remembers the
    /// error and carries on, for a closed pipe ends the process before): the export is incomplete, so the command
    /// fails there, with no summary and no provenance, and a script stops (reviewer: `> /dev/full` read "wrote 4686
    /// events to standard output").
    static func checkWritten(_ output: OutputSink, command: String) throws {
        guard let error = output.writeError else { return }
        throw ShellError("\(command): cannot write to standard output: \(String(cString: strerror(error))); the export is incomplete")
    }

    /// A summary line: on stderr when the rows went to standard output, else as any status line (`ctx.status`).
    /// With `--json` and standard output, none: stderr then carries the JSON object alone, as stdout carries it
    /// alone for a file, so a reader can parse it (reviewer: the summary line followed the object).
    func status(_ text: String, in ctx: CommandContext) {
        if toStandardOutput { if !ctx.wantsJSON { ctx.diagnostic(text) } } else { ctx.status(text) }
    }

    /// The `--json` object: on stderr, on one line, when the rows went to standard output.
    func result(_ value: JSONValue, in ctx: CommandContext) {
        if toStandardOutput { ctx.diagnostic(value.serialized()) } else { ctx.json(value) }
    }

    /// The JSON value of `provenance_file`.
    var provenanceJSON: JSONValue { provenancePath.map { .string($0) } ?? .null }

    /// The end of a summary line: where the provenance went, or that it was not written.
    var provenanceNote: String {
        provenancePath.map { "; provenance in \(TerminalText.escape($0))" }
            ?? "; no provenance file (standard output has no file beside it: --provenance FILE writes one)"
    }
}

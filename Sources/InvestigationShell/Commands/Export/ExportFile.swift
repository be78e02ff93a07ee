import ExchangeEvidence
import Foundation

/// Where an export writes: a file, or standard output when FILE is `-` (`ExportFile+StandardOutput.swift`).
///
/// A file is refused when it is loaded evidence or inside a loaded evidence set (evidence is never written, nor
/// added to), when its name does not end in one of the formats the target writes, or when it exists and `--force`
/// was not given. Bytes go to `FILE.partial`, renamed to FILE only when the export completes, so an interrupted or
/// failed export never leaves a half-written file under the name a later process would read. Beside the finished
/// file goes `FILE.provenance.json`: the build, rules, indicator sets and commands behind it (the formats other
/// tools import carry events only). Bytes are written past the page cache where the file system allows it
/// (`ExportFileWriter`).
final class ExportFile {
    /// FILE as given (tilde expanded), or `-`.
    let path: String
    /// The format written (lower case, without the dot): FILE's extension, or `--format` for standard output.
    let format: String
    /// Where the provenance of this export is written: beside FILE, or `--provenance FILE` for standard output;
    /// nil for standard output without it.
    let provenancePath: String?
    private let command: String
    private let destination: Destination
    private let session: Session

    private enum Destination {
        case file(ExportFileWriter, partial: String)
        /// The session's output, so the rows come after what earlier commands printed, through the one writer of
        /// results (and its quiet end on a closed pipe).
        case standardOutput(OutputSink)
    }

    init(_ word: String, command: String, formats: [String], in ctx: CommandContext) throws {
        try ctx.requireEvidence(command)
        format = try Self.format(of: word, among: formats, args: ctx.args, command: command)
        self.command = command
        session = ctx.session
        if word == Self.standardOutput {
            path = word
            provenancePath = try Self.standardOutputProvenance(command: command, in: ctx)
            try Self.refuseRedirectIntoEvidence(command: command, in: ctx)
            destination = .standardOutput(ctx.output)
            return
        }
        if ctx.args.has("provenance") {
            throw ShellError("\(command): --provenance is for standard output (-); a file's provenance goes beside it, as FILE\(ExhuntFiles.suffix)")
        }
        let path = (word as NSString).expandingTildeInPath
        try Self.refuseEvidence(path, command: command, in: ctx)
        // --force replaces files, never a folder (reviewer: `export timeline out.csv --force` removed a folder), and
        // the provenance file beside is as much the user's as the export.
        for file in [path, path + ExhuntFiles.suffix] { try OutputPath.check(file, command: command, force: ctx.args.flag("force")) }
        let partial = path + ".partial"
        let writer: ExportFileWriter
        do { writer = try ExportFileWriter(path: partial) } catch {
            throw ShellError("\(command): cannot write \(TerminalText.escape(path)): \(error.localizedDescription)")
        }
        self.path = path
        provenancePath = path + ExhuntFiles.suffix
        destination = .file(writer, partial: partial)
    }

    /// Refuses `path` when it is a loaded evidence file or lies inside a loaded evidence set.
    static func refuseEvidence(_ path: String, command: String, in ctx: CommandContext) throws {
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        // Only a file of the same name can be the target: standardizing the path of each of 17,000 loaded files
        // took a tenth of a second.
        let name = URL(fileURLWithPath: target).lastPathComponent
        if ctx.session.store.files.contains(where: {
            $0.location.hasSuffix(name) && URL(fileURLWithPath: $0.location).standardizedFileURL.path == target
        }) {
            throw ShellError("\(command): \(TerminalText.escape(path)) is loaded evidence; evidence is never written")
        }
        try ctx.session.refuseInsideEvidence(target, command: command)
    }

    /// The format of `FILE` among `formats`: the extension its name ends with, case aside.
    static func format(of file: String, among formats: [String]) -> String? {
        formats.first { file.lowercased().hasSuffix("." + $0) }
    }

    /// True when the rows go to standard output.
    var toStandardOutput: Bool {
        if case .standardOutput = destination { return true }
        return false
    }

    /// How messages name the destination: the file, escaped, or `standard output`.
    var shownName: String { toStandardOutput ? "standard output" : TerminalText.escape(path) }

    func write(_ bytes: [UInt8]) throws {
        switch destination {
        case .file(let writer, _):
            do { try bytes.withUnsafeBytes { try writer.write($0) } } catch { throw failure(error) }
        case .standardOutput(let output):
            // Rows are UTF-8 (text that was not is written as U+FFFD), so the String holds exactly these bytes.
            output.write(String(decoding: bytes, as: UTF8.self))
            try Self.checkWritten(output, command: command)
        }
    }

    /// Closes the file and gives it its name; then writes the provenance, where there is a place for it.
    func finish() throws {
        do {
            if case .standardOutput(let output) = destination { try Self.checkWritten(output, command: command) }
            if case .file(let writer, let partial) = destination {
                try writer.finish()
                if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
                try FileManager.default.moveItem(atPath: partial, toPath: path)
            }
            if let provenancePath {
                try Data(Provenance.exportText(session).utf8).write(to: URL(fileURLWithPath: provenancePath), options: .atomic)
            }
        } catch {
            abandon()
            throw failure(error)
        }
    }

    /// Removes the partial file after a failure or Ctrl-C (rows already on standard output stay there).
    func abandon() {
        guard case .file(let writer, let partial) = destination else { return }
        writer.discard()
        try? FileManager.default.removeItem(atPath: partial)
    }

    private func failure(_ error: Error) -> Error {
        error is ShellError ? error : ShellError("\(command): \(error.localizedDescription)")
    }

    /// Runs `body` and removes the partial file if it throws.
    func writing<R>(_ body: (ExportFile) throws -> R) throws -> R {
        do { return try body(self) } catch { abandon(); throw failure(error) }
    }
}

import ExchangeEvidence
import Foundation

/// The file an export writes. It is refused when it is loaded evidence or inside a loaded evidence set
/// (evidence is never written, nor added to), when
/// its name does not end in one of the formats the target writes, or when it exists and `--force` was not
/// given. Bytes go to `FILE.partial`, renamed to FILE only when the export completes, so an interrupted or
/// failed export never leaves a half-written file under the name a later process would read. Beside the
/// finished file goes `FILE.provenance.json`: the build, rules, indicator sets and commands behind it (the
/// formats other tools import carry events only). Bytes are written past the page cache where the file system
/// allows it (`ExportFileWriter`).
final class ExportFile {
    let path: String
    /// The extension the name ends with (lower case, without the dot), which picks the format.
    let format: String
    private let command: String
    private let partial: String
    private let writer: ExportFileWriter
    private let session: Session

    init(_ word: String, command: String, formats: [String], in ctx: CommandContext) throws {
        try ctx.requireEvidence(command)
        let path = (word as NSString).expandingTildeInPath
        guard let format = Self.format(of: path, among: formats) else {
            throw ShellError("\(command): the file must end in " + formats.map { "." + $0 }.joined(separator: " or "))
        }
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
        // --force replaces files, never a folder (reviewer: `export timeline out.csv --force` removed a folder), and
        // the provenance file beside is as much the user's as the export.
        for file in [path, path + ExhuntFiles.suffix] { try OutputPath.check(file, command: command, force: ctx.args.flag("force")) }
        let partial = path + ".partial"
        let writer: ExportFileWriter
        do { writer = try ExportFileWriter(path: partial) } catch {
            throw ShellError("\(command): cannot write \(TerminalText.escape(path)): \(error.localizedDescription)")
        }
        self.path = path
        self.format = format
        self.command = command
        self.partial = partial
        self.writer = writer
        session = ctx.session
    }

    /// The format of `FILE` among `formats`: the extension its name ends with, case aside.
    static func format(of file: String, among formats: [String]) -> String? {
        formats.first { file.lowercased().hasSuffix("." + $0) }
    }

    /// Where the provenance of this export is written.
    var provenancePath: String { path + ExhuntFiles.suffix }

    func write(_ bytes: [UInt8]) throws {
        do { try bytes.withUnsafeBytes { try writer.write($0) } } catch { throw failure(error) }
    }

    /// Closes the file and gives it its name.
    func finish() throws {
        do {
            try writer.finish()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            try Data(Provenance.exportText(session).utf8)
                .write(to: URL(fileURLWithPath: provenancePath), options: .atomic)
        } catch {
            abandon()
            throw failure(error)
        }
    }

    /// Removes the partial file after a failure or Ctrl-C.
    func abandon() {
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

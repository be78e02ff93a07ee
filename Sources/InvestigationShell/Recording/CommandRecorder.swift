import ExchangeEvidence
import Foundation

/// Writes the command lines of a session to a command file that `exhunt -f` replays. Each line gets its
/// time as a comment above it; a line that failed is written commented out, with its error, so the replay
/// does what succeeded and still shows what was tried. Lines run by `source` are not written (the `source`
/// line is), nor are `record` lines. Every line is flushed as it is written, so a crash keeps the record.
public final class CommandRecorder {
    private(set) var path: String?
    private var handle: FileHandle?
    /// Lines written since `start` (failed ones included).
    private(set) var recorded = 0
    private(set) var failed = 0
    /// The clock, replaceable in tests.
    var now: () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    var isRecording: Bool { handle != nil }

    /// Starts recording into `path`. An existing file is refused unless `append` or `overwrite`.
    /// `earlierLoads`: the `load` commands run before recording started, written as a comment block to enable.
    func start(_ path: String, append: Bool, overwrite: Bool, variables: [String: String], earlierLoads: [String] = []) throws {
        if let current = self.path { throw ShellError("record: already recording to \(TerminalText.escape(current)); 'record stop' first") }
        try OutputPath.check(path, command: "record")
        let fm = FileManager.default
        let exists = fm.fileExists(atPath: path)
        if exists && !append && !overwrite {
            throw ShellError("record: \(TerminalText.escape(path)) exists; use --append to add to it or --force to overwrite it")
        }
        if !exists || overwrite {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw ShellError("record: cannot create \(TerminalText.escape(path))")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw ShellError("record: cannot write \(TerminalText.escape(path))") }
        h.seekToEndOfFile()
        handle = h
        self.path = path
        recorded = 0
        failed = 0
        var header = ExhuntFiles.recordingHeader + "\(Timestamp.iso(now()))\n# replay: exhunt -f \(Tokenizer.quote(path))\n"
        if !variables.isEmpty {
            header += "# variables defined when recording started (give them with --set NAME=VALUE):\n"
            for (k, v) in variables.sorted(by: { $0.key < $1.key }) { header += "#   \(k)=\(Self.oneLine(v))\n" }
        }
        if !earlierLoads.isEmpty {
            header += "# evidence loaded before recording started; remove the '# ' to load it when replaying:\n"
            for line in earlierLoads { header += "# \(Self.oneLine(line))\n" }
        }
        write(header)
    }

    /// Stops recording; returns the file and the number of lines recorded.
    func stop() throws -> (path: String, recorded: Int, failed: Int) {
        guard let path, let handle else { throw ShellError("record: not recording; 'record start FILE' begins") }
        write("# recording stopped \(Timestamp.iso(now()))\n")
        handle.closeFile()
        self.handle = nil
        self.path = nil
        return (path, recorded, failed)
    }

    /// The session observer: records a typed line (or a line of the top-level script) after it ran. A command
    /// that named events by this session's numbers (`mark finding F5`) is written in its `replay` form, their
    /// `FILE:LINE`, as `case history --as-script` writes it: replayed on new evidence, F5 is another finding,
    /// and the mark and its note landed on it (reviewer).
    func observe(_ line: String, _ error: Error?, depth: Int, replay: String? = nil) {
        guard isRecording, depth == 0 else { return }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") || Self.isRecordCommand(trimmed) { return }
        recorded += 1
        if error != nil { failed += 1 }
        if error == nil, let replay {
            write(Self.typedAs(trimmed) + Self.entry(replay, failure: nil, at: now()))
        } else {
            write(Self.entry(trimmed, failure: error.map { "\($0)" }, at: now()))
        }
    }

    /// The comment above a command written in its replay form, keeping what was typed.
    static func typedAs(_ line: String) -> String {
        "# typed as: \(oneLine(line)) (numbers of that session; replayed by FILE:LINE)\n"
    }

    /// One command as a command file holds it: its time as a comment, then the line, commented out with its
    /// error when it failed. Public so other writers of command files (the case history) use the same form.
    public static func entry(_ line: String, failure: String?, at ms: Int64) -> String {
        guard let failure else { return "# \(Timestamp.iso(ms))\n\(oneLine(line))\n" }
        return "# \(Timestamp.iso(ms)) failed: \(oneLine(failure))\n# \(oneLine(line))\n"
    }

    private func write(_ text: String) {
        handle?.write(Data(text.utf8))
        handle?.synchronizeFile()
    }

    static func isRecordCommand(_ line: String) -> Bool {
        line == "record" || line.hasPrefix("record ") || line.hasPrefix("record\t")
    }

    /// A line never spans lines in the file (a pasted newline would otherwise split a command on replay).
    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }
}

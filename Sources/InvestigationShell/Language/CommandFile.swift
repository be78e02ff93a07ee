import Foundation

/// A command file's text (`exhunt -f FILE`, `source FILE`), or an error that says why it cannot be read: not
/// found, a folder, not UTF-8 text (with the byte where it stops being so). "cannot read" alone left the user to
/// guess (reviewer: a Latin-1 file).
public enum CommandFile {
    /// The commands of `path`, read to its end: a file, a pipe (`-f <(…)`, `-f /dev/stdin`) or `-` for standard
    /// input, as `sh` and `sqlite3` read them (reviewer: pipes were refused as "permission denied").
    public static func text(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ShellError("cannot read command file \(TerminalText.escape(path)): no such file")
            }
            if isFolder.boolValue { throw ShellError("cannot read command file \(TerminalText.escape(path)): it is a folder") }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ShellError("cannot read command file \(TerminalText.escape(path)): permission denied or unreadable")
            }
            defer { try? handle.close() }
            do { data = try handle.readToEnd() ?? Data() } catch {
                throw ShellError("cannot read command file \(TerminalText.escape(path)): \(error.localizedDescription)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ShellError("cannot read command file \(TerminalText.escape(path)): not UTF-8 text (byte \(firstInvalidByte(data) + 1) "
                             + "is not; save it as UTF-8, e.g. iconv -f latin1 -t utf-8)")
        }
        return text
    }

    /// The offset of the first byte that is not part of valid UTF-8.
    static func firstInvalidByte(_ data: Data) -> Int {
        var bytes = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput, .error: return offset
            }
        }
    }
}

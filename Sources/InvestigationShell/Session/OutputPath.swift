import Foundation

/// A file the user named for a command to write (an export, a report, a command file, a case file), checked
/// before anything is written: a folder under that name, or a folder to put it in that does not exist, is said
/// in words. Foundation's own failure reads "NSCocoaErrorDomain error 512", SQLite's "unable to open database
/// file", and `--force` must never replace a folder with a file.
enum OutputPath {
    /// `creatingFolder`: the command makes the folder the file goes in (`export proxylogon DIR`). `force`: for a
    /// command that replaces an existing file only with `--force` (exports, reports), whether it was given.
    static func check(_ path: String, command: String, creatingFolder: Bool = false, force: Bool? = nil) throws {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if exists && isFolder.boolValue {
            throw ShellError("\(command): \(TerminalText.escape(path)) is a folder; name a file to write (a folder is never replaced)")
        }
        if exists && force == false { throw ShellError("\(command): \(TerminalText.escape(path)) exists (--force to overwrite)") }
        if creatingFolder { return }
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ShellError("\(command): cannot write \(TerminalText.escape(path)): the folder \(TerminalText.escape(folder)) does not exist")
        }
    }
}

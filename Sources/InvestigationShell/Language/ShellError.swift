/// A command failure with a message for the user. Scripts stop on it unless `--keep-going` is given.
public struct ShellError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ShellError {
    /// An event id out of range: the range there is, or that nothing is loaded (an empty store has no "0–0"). A
    /// word that looks like a file (`Ecp/HttpProxy_2021030306-1.LOG`) lacks its `:LINE` (instructor review).
    static func noEvent(_ what: String, command: String, count: Int) -> ShellError {
        let file = ShowCommand.isFileWord(what)
        return ShellError("\(command): no event \(what) (" + (count == 0 ? "nothing is loaded: 'load PATH' first"
            : file ? "a file's event is named FILE:LINE: add the line number" : "events are numbered 0–\(count - 1)") + ")")
    }
}

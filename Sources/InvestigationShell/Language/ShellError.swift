/// A command failure with a message for the user. Scripts stop on it unless `--keep-going` is given.
public struct ShellError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

import CYara

/// libyara's process-wide state: `yr_initialize` must run once before any compiler or scanner exists and is
/// never undone (rule sets may live until the process ends).
enum YaraLibrary {
    /// Nil when libyara started, otherwise its error code.
    static let startError: Int32? = {
        let rc = yr_initialize()
        return rc == ERROR_SUCCESS ? nil : rc
    }()

    static func start() throws {
        if let rc = startError { throw YaraError("libyara could not start (error \(rc))") }
    }
}

/// A YARA failure with a message fit for the user.
public struct YaraError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

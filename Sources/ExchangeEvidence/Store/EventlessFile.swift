/// A loaded file that yielded no event: hashed and listed, but no rule saw anything in it. Coverage names it
/// instead of counting it, so an `.evtx` cut to its header does not pass for the event log it was meant to be.
public struct EventlessFile: Sendable, Hashable {
    public let path: String
    /// The file's first problem (why nothing could be read), nil when it was read cleanly and holds no event
    /// (a valid log with no record in it).
    public let problem: String?

    public init(path: String, problem: String?) {
        self.path = path
        self.problem = problem
    }

    public init(_ file: EvidenceFile) {
        self.init(path: file.path, problem: file.problems.total > 0 ? file.problems.kept.first?.message ?? "unreadable" : nil)
    }

    /// `tiny.evtx: file header cut off` or `empty.evtx: no event in it`.
    public var description: String { "\(path): \(problem ?? "no event in it")" }
}

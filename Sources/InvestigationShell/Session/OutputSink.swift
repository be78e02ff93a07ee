/// Where a shell writes: results to `write` (stdout), prompts, progress and diagnostics to `diagnostic`
/// (stderr). Tests capture both with `CapturedOutput`.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    func diagnostic(_ text: String)
    /// True when results go to a terminal (enables colour unless `NO_COLOR` is set, and paging).
    var isTerminal: Bool { get }
    /// The first error (`errno`) writing results failed with, if any: a full disk or a closed descriptor loses
    /// results without stopping the writer, so a command whose results are the point (`export … -`) asks, and fails.
    var writeError: Int32? { get }
    /// The path of the regular file results go to (`exhunt … > FILE`), if they go to one: `export … -` then writes
    /// that file, and refuses it as it refuses a FILE it is given inside the evidence.
    var regularFilePath: String? { get }
}

extension OutputSink {
    public var writeError: Int32? { nil }
    public var regularFilePath: String? { nil }
}

/// Collects output in memory (tests, `--echo` transcripts, golden files).
public final class CapturedOutput: OutputSink {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    /// Both streams interleaved in the order written, as a user would see them.
    public private(set) var combined = ""
    public var isTerminal: Bool { false }
    public init() {}
    public func write(_ text: String) { stdout += text; combined += text }
    public func diagnostic(_ text: String) { stderr += text; combined += text }
}

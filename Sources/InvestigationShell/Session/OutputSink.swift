/// Where a shell writes: results to `write` (stdout), prompts, progress and diagnostics to `diagnostic`
/// (stderr). Tests capture both with `CapturedOutput`.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    func diagnostic(_ text: String)
    /// True when results go to a terminal (enables colour unless `NO_COLOR` is set, and paging).
    var isTerminal: Bool { get }
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

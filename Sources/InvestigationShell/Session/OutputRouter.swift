/// The session's output: forwards to the real sink, and lets a feature capture a command's output
/// (a lesson check running `marks --json` quietly) or watch what commands print (a lesson's "output
/// contained" check) without replacing the sink the executable or a test gave.
public final class OutputRouter: OutputSink {
    public let base: OutputSink
    private var captures: [CapturedOutput] = []
    /// Called with every result text written (not diagnostics) while not capturing.
    public var taps: [(String) -> Void] = []

    public init(_ base: OutputSink) { self.base = base }

    public var isTerminal: Bool { captures.isEmpty && base.isTerminal }
    /// While capturing, results go to memory, which never fails and is no file.
    public var writeError: Int32? { captures.isEmpty ? base.writeError : nil }
    public var regularFilePath: String? { captures.isEmpty ? base.regularFilePath : nil }

    public func write(_ text: String) {
        if let c = captures.last { c.write(text); return }
        for tap in taps { tap(text) }
        base.write(text)
    }

    public func diagnostic(_ text: String) {
        if let c = captures.last { c.diagnostic(text); return }
        base.diagnostic(text)
    }

    /// Runs `body` with everything it writes collected instead of shown; returns what was collected.
    public func capturing(_ body: () throws -> Void) rethrows -> CapturedOutput {
        let c = CapturedOutput()
        captures.append(c)
        defer { captures.removeLast() }
        try body()
        return c
    }
}

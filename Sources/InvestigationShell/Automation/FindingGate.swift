import ExchangeDetection

/// `exhunt --fail-on LEVEL`: after the commands ran, does the loaded evidence hold a finding at or above
/// LEVEL? A scheduler running the same command file over many evidence sets can then tell "findings"
/// (exit 2) from "the run failed" (exit 1) and "nothing at that level" (0). The findings are the hunt's,
/// from the session's cache, so the gate agrees with what `hunt` printed. It judges the evidence, not the last
/// command: every loaded server counts whatever `hunt --server/--rule/--min-severity` showed, and when no hunt
/// ran the rules run here (help/scripting.md).
public struct FindingGate {
    public let threshold: Severity

    /// - Throws: `ShellError` naming the accepted levels.
    public init(level: String) throws {
        guard let s = Severity(name: level) else {
            throw ShellError("--fail-on: '\(TerminalText.escape(level))' is not a severity; use "
                             + Severity.allCases.map(\.name).joined(separator: ", "))
        }
        threshold = s
    }

    /// The findings at or above the threshold on everything loaded.
    public func findings(in session: Session) -> [Finding] {
        guard session.store.count > 0 else { return [] }
        return HuntFindings.of(session).result(for: session.store).findings.filter { $0.severity >= threshold }
    }

    /// Why the exit status is 2 (for stderr), or nil when no finding reaches the threshold.
    public func verdict(in session: Session) -> String? {
        let hits = findings(in: session)
        guard !hits.isEmpty else { return nil }
        let counts = Severity.allCases.reversed().compactMap { level -> String? in
            let n = hits.filter { $0.severity == level }.count
            return n == 0 ? nil : "\(n) \(level.name)"
        }
        let servers = Set(hits.map(\.server)).sorted().map { TerminalText.escape($0) }.joined(separator: ", ")
        return "exhunt: \(hits.count) finding\(hits.count == 1 ? "" : "s") at or above \(threshold.name) "
            + "(\(counts.joined(separator: ", ")); servers: \(servers)); exit status 2 (--fail-on \(threshold.name))"
    }
}

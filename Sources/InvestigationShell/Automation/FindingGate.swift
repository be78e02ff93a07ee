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

    /// The findings at or above the threshold on everything loaded, and how many of those the analyst cleared.
    /// A finding every event of which the case marks benign or reviewed is cleared, as the report counts it: a
    /// scheduled run over a triaged server no longer exits 2 for ever on the pentest's pages (reviewer).
    public func judged(in session: Session) -> (findings: [Finding], cleared: Int) {
        guard session.store.count > 0 else { return ([], 0) }
        CaseState.of(session).openDefaultIfPresent(session)
        let all = HuntFindings.of(session).result(for: session.store).findings.filter { $0.severity >= threshold }
        let benign = Set(CaseState.of(session).resolvedMarks(for: session.store).filter { $0.value.label == "benign" || $0.value.label == "reviewed" }.keys)
        guard !benign.isEmpty else { return (all, 0) }
        let standing = all.filter { f in f.events.isEmpty || !f.events.allSatisfy(benign.contains) }
        return (standing, all.count - standing.count)
    }

    /// The findings at or above the threshold that the analyst has not cleared.
    public func findings(in session: Session) -> [Finding] { judged(in: session).findings }

    /// Why the exit status is 0 although findings reached the threshold (for stderr): all of them were cleared.
    public func clearedNote(in session: Session) -> String? {
        let (hits, cleared) = judged(in: session)
        guard hits.isEmpty, cleared > 0 else { return nil }
        return "exhunt: \(cleared) finding\(cleared == 1 ? "" : "s") at or above \(threshold.name), all cleared by the analyst "
            + "(every event marked benign or reviewed in the case), not counted; exit status 0 (--fail-on \(threshold.name))"
    }

    /// Why the exit status is 2 (for stderr), or nil when no finding reaches the threshold.
    public func verdict(in session: Session) -> String? {
        let (hits, cleared) = judged(in: session)
        guard !hits.isEmpty else { return nil }
        let counts = Severity.allCases.reversed().compactMap { level -> String? in
            let n = hits.filter { $0.severity == level }.count
            return n == 0 ? nil : "\(n) \(level.name)"
        }
        let servers = Set(hits.map(\.server)).sorted().map { TerminalText.escape($0) }.joined(separator: ", ")
        // The rules, most findings first: the gate counts every rule, whatever `hunt --rule` showed (reviewer: a
        // run showing only a Sigma rule's medium findings exited 2 on built-in ones it never named).
        let byRule = Dictionary(grouping: hits, by: \.rule).sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
        let rules = byRule.prefix(3).map { "\(TerminalText.escape($0.key))×\($0.value.count)" }.joined(separator: ", ")
            + (byRule.count > 3 ? ", +\(byRule.count - 3) more" : "")
        return "exhunt: \(hits.count) finding\(hits.count == 1 ? "" : "s") at or above \(threshold.name) "
            + "(\(counts.joined(separator: ", ")); servers: \(servers); rules: \(rules))"
            + (cleared == 0 ? "" : "; \(cleared) more cleared by the analyst, not counted") + "; exit status 2 (--fail-on \(threshold.name))"
    }
}

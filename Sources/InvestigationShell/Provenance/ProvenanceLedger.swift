import ExchangeEvidence

/// What a session ran and read that its outputs must name: the command lines, in order (the same lines the
/// case's audit log records), and the rule files loaded besides the built-in rules.
public final class ProvenanceLedger {
    /// One command line and whether it failed.
    public struct Entry: Sendable {
        public var time: Int64
        public var line: String
        public var failed: Bool
    }

    /// A rule file (Sigma, YARA, …) loaded into the session: its kind, path and SHA-256.
    public struct RuleFile: Sendable, Equatable {
        public var kind: String
        public var path: String
        public var sha256: String
        public init(kind: String, path: String, sha256: String) { self.kind = kind; self.path = path; self.sha256 = sha256 }
    }

    public private(set) var commands: [Entry] = []
    public private(set) var ruleFiles: [RuleFile] = []

    public static func of(_ session: Session) -> ProvenanceLedger {
        session.attachment(ProvenanceLedger.self) { ProvenanceLedger() }
    }

    /// Called by whatever loads a rule file, so every output names the rules that produced it.
    public func recordRuleFile(_ file: RuleFile) {
        if !ruleFiles.contains(file) { ruleFiles.append(file) }
    }

    /// The session observer: top-level lines only (a sourced file's lines are covered by its `source` line).
    func observe(_ line: String, _ error: Error?, depth: Int, at ms: Int64) {
        guard depth == 0 else { return }
        commands.append(Entry(time: ms, line: line, failed: error != nil))
    }
}

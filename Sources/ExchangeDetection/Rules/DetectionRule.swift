import ExchangeEvidence

/// A detection: reads the loaded store (never the files) and returns findings.
///
/// Rules are independent values, so the `Hunter` can run them on both cores. A rule that builds on other
/// rules' findings (a chain) lists them in `dependsOn` and implements `run(on:prior:)`.
public protocol DetectionRule: Sendable {
    /// Stable id, `<family>.<name>`; also the name of its help page `help/rules/<id>.md`.
    var id: String { get }
    var title: String { get }
    var cves: [String] { get }
    /// The highest severity the rule reports; single findings may be lower (e.g. a vendor's archive).
    var severity: Severity { get }
    /// The evidence kinds it reads.
    var sources: [SourceKind] { get }
    /// The Sigma log sources whose events it reads (Sysmon 1 and Security 4688 are `process_creation`), bound to
    /// the evidence by the mapping loaded Sigma rules use (`sigma/logsources.yml`), so coverage names the channel
    /// and event a rule lacks the same way for both. Empty for rules that read whole kinds.
    var logSources: [SigmaLogSource] { get }
    /// The evidence without which it cannot run (by default: the entries of `logSources`, else any of `sources`). `hunt` and the report use it
    /// to say which rules could not run on a server, so that no finding is not read as no attack.
    var needs: EvidenceNeed { get }
    /// The ids its findings carry, each with what it needs (by default its own id and `needs`). A rule that runs
    /// a loaded set (Sigma, YARA) lists each loaded rule, so coverage names `sigma:<id>`, not the set.
    var coverageNeeds: [(id: String, need: EvidenceNeed)] { get }
    /// One paragraph: what it detects and where the logic comes from (the help page has the details).
    var help: String { get }
    /// Ids of rules whose findings `run(on:prior:)` needs.
    var dependsOn: [String] { get }

    func run(on store: EventStore) -> [Finding]
    /// Runs and says which of its rules cannot match on a server for want of a field (a loaded rule set
    /// names them; a built-in rule reads fields every record of its kind has). What `Hunter` calls.
    func runNotingFieldGaps(on store: EventStore) -> (findings: [Finding], fieldGaps: [FieldGap])
    /// Runs with the findings of the rules in `dependsOn` already computed.
    func run(on store: EventStore, prior: [Finding]) -> [Finding]
}

extension DetectionRule {
    public var dependsOn: [String] { [] }
    public var logSources: [SigmaLogSource] { [] }
    public var needs: EvidenceNeed { SigmaLogSourceMap.standard.need(for: logSources) ?? .reading(sources) }
    public var coverageNeeds: [(id: String, need: EvidenceNeed)] { [(id, needs)] }
    public func run(on store: EventStore, prior: [Finding]) -> [Finding] { run(on: store) }
    public func runNotingFieldGaps(on store: EventStore) -> (findings: [Finding], fieldGaps: [FieldGap]) { (run(on: store), []) }
}

import ExchangeDetection
import ExchangeEvidence

/// The session's hunt result, kept until the store or the loaded rules change, so `hunt` with other filters,
/// `export` and later commands (timeline marks) reuse it instead of running the rules again.
public final class HuntFindings {
    private var generation = -1
    private var revision = -1
    private var cached: Hunter.Result?
    private var order: [Int]?
    /// The coverage and what it was computed from: a hunt's result, once there is one, adds its field gaps.
    private var coverage: (generation: Int, revision: Int, afterHunt: Bool, value: RuleCoverage)?
    /// Rules loaded from files (`rules load`), run beside the built-in ones.
    let library: RuleLibrary

    public init(library: RuleLibrary = RuleLibrary()) { self.library = library }

    /// The result of every rule on the current store, computed once per store generation and rule load.
    public func result(for store: EventStore) -> Hunter.Result {
        if let cached = cachedResult(for: store) { return cached }
        let fresh = Hunter(rules: RuleRegistry.standard + library.detectionRules).run(on: store)
        cached = fresh
        order = nil
        generation = store.generation
        revision = library.revision
        return fresh
    }

    /// Indexes of the result's findings in time order (`FindingOrder.byTime`), which numbers them: the finding
    /// at `timeOrder[0]` is F1. Computed once per result; `hunt`, the timeline and the report share it.
    public func timeOrder(for store: EventStore) -> [Int] {
        let findings = result(for: store).findings
        if let order { return order }
        let fresh = FindingOrder.byTime(findings)
        order = fresh
        return fresh
    }

    /// What the cached result depends on: the store's generation and the loaded rules' revision.
    var key: (generation: Int, revision: Int) { (generation, revision) }

    /// Which rules could run on each server and on which period, computed once per store generation and rule load.
    public func ruleCoverage(for store: EventStore) -> RuleCoverage {
        let hunted = cachedResult(for: store)
        if let coverage, coverage.generation == store.generation, coverage.revision == library.revision,
           coverage.afterHunt == (hunted != nil) { return coverage.value }
        let fresh = RuleCoverage.of(store, rules: RuleRegistry.standard + library.detectionRules, coverage: hunted?.coverage,
                                    fieldGaps: hunted?.fieldGaps ?? [])
        coverage = (store.generation, library.revision, hunted != nil, fresh)
        return fresh
    }

    /// The result already computed for the store's current generation, without running the rules.
    public func cachedResult(for store: EventStore) -> Hunter.Result? {
        generation == store.generation && revision == library.revision ? cached : nil
    }

    /// The session's cache.
    public static func of(_ session: Session) -> HuntFindings {
        session.attachment(HuntFindings.self) { HuntFindings(library: session.ruleLibrary) }
    }
}

extension Session {
    /// Sigma and YARA rules loaded from files in this session or from its case.
    public var ruleLibrary: RuleLibrary { attachment(RuleLibrary.self) { RuleLibrary() } }

    /// How many rules a hunt runs: the built-in ones and every rule loaded from files.
    var ruleCount: Int { RuleRegistry.standard.count + ruleLibrary.rules.count }

    /// The `rule` ids findings can carry, for checking `--rule` values.
    var knownRuleIDs: Set<String> { Set(RuleRegistry.standard.map(\.id) + ruleLibrary.rules.map(\.findingRule)) }

    /// ` (did you mean 'proxylogon.ssrf'?)` for a mistyped rule id, from the built-in and loaded rules, or "".
    func ruleSuggestion(_ id: String, typed: (String) -> String = { $0 }) -> String {
        DidYouMean.hint(id, among: knownRuleIDs.sorted(), typed: typed)
    }
}

extension RuleCoverage.Family {
    /// The JSON object documented in `help/hunt.md` (`coverage_gaps`).
    func json(only: Set<String>? = nil) -> JSONValue {
        .object([("server", .string(server)), ("evidence", .string(need.label)), ("kinds", .strings(need.kinds.map(\.rawValue))),
                 ("channels", .strings(need.kinds.flatMap { need.channels[$0] ?? [] })),
                 ("rules", .strings(only.map { o in rules.filter(o.contains) } ?? rules)), ("could_run", .bool(couldRun)),
                 ("first", first == Timestamp.unknown ? .null : .time(first)), ("last", last == Timestamp.unknown ? .null : .time(last)),
                 ("gaps", .strings(gaps.map { g in
                     switch g {
                     case .notLoaded: return "not-loaded"
                     case .startsAfterCampaign: return "starts-after-campaign"
                     case .endsBeforePatch: return "ends-before-patch"
                     case .onlySelectedRows: return "only-selected-rows"
                     case .nothingRead: return "nothing-read"
                     }
                 })),
                 ("message", .string(sentence(only: only)))])
    }
}

extension FieldGap {
    /// The `coverage_gaps` object of a rule that ran but cannot match (`help/hunt.md`): the family's shape, with
    /// `gaps` `no-matching-events` and/or `fields-absent` (or `filter-fields-absent`: it matches, but a filter it
    /// negates excludes nothing), and per entry of its log source what it selects and the fields never present there.
    func json(message: String) -> JSONValue {
        let gaps = filterExcludesNothing ? ["filter-fields-absent"]
            : (sources.contains { $0.fields.isEmpty } ? ["no-matching-events"] : []) + (sources.contains { !$0.fields.isEmpty } ? ["fields-absent"] : [])
        return .object([("server", .string(server)), ("evidence", .string(need.label)), ("kinds", .strings(need.kinds.map(\.rawValue))),
                        ("channels", .strings(need.kinds.flatMap { need.channels[$0] ?? [] })), ("rules", .strings([rule])),
                        ("could_run", .bool(true)), ("first", .null), ("last", .null), ("gaps", .strings(gaps)),
                        ("sources", .array(sources.map { .object([("selection", .string($0.selection)), ("fields", .strings($0.fields))]) })),
                        ("message", .string(message))])
    }
}

extension Finding {
    /// The JSON object documented in `help/hunt.md`; `id` is the finding's `F` number.
    func json(id: String) -> JSONValue {
        .object([("id", .string(id)), ("rule", .string(rule)), ("title", .string(title)), ("cves", .strings(cves)), ("severity", .string(severity.name)),
                 ("server", .string(server)), ("time", .time(time)), ("events", .array(events.map { .int($0) })),
                 ("file", .string(file)), ("line", .int(line)), ("summary", .string(summary))])
    }
}

import ExchangeDetection
import ExchangeEvidence

/// The session's hunt result, kept until the store changes, so `hunt` with other filters, `export` and
/// later commands (timeline marks) reuse it instead of running the rules again.
public final class HuntFindings {
    private var generation = -1
    private var cached: Hunter.Result?
    /// Rules loaded at run time (`rules load`), run after the built-in ones.
    private var loadedRules: [any DetectionRule] = []

    public init() {}

    /// Replaces the run-time rules; the next hunt runs them (the cached result is dropped).
    public func setLoadedRules(_ rules: [any DetectionRule]) {
        loadedRules = rules
        cached = nil
        generation = -1
    }

    /// The result of every rule on the current store, computed once per store generation.
    public func result(for store: EventStore) -> Hunter.Result {
        if let cached, generation == store.generation { return cached }
        let fresh = Hunter(rules: RuleRegistry.standard + loadedRules).run(on: store)
        cached = fresh
        generation = store.generation
        return fresh
    }

    /// The result already computed for the store's current generation, without running the rules.
    public func cachedResult(for store: EventStore) -> Hunter.Result? { generation == store.generation ? cached : nil }

    /// The session's cache.
    public static func of(_ session: Session) -> HuntFindings {
        session.attachment(HuntFindings.self) { HuntFindings() }
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

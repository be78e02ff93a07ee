import ExchangeDetection
import ExchangeEvidence

/// The session's hunt result, kept until the store changes, so `hunt` with other filters, `export` and
/// later commands (timeline marks) reuse it instead of running the rules again.
public final class HuntFindings {
    private var generation = -1
    private var cached: Hunter.Result?
    private var coverage: (generation: Int, value: RuleCoverage)?

    public init() {}

    /// The result of every rule on the current store, computed once per store generation.
    public func result(for store: EventStore) -> Hunter.Result {
        if let cached, generation == store.generation { return cached }
        let fresh = Hunter().run(on: store)
        cached = fresh
        generation = store.generation
        return fresh
    }

    /// Which rules could run on each server and on which period, computed once per store generation.
    public func ruleCoverage(for store: EventStore) -> RuleCoverage {
        if let coverage, coverage.generation == store.generation { return coverage.value }
        let fresh = RuleCoverage.of(store, coverage: cachedResult(for: store)?.coverage)
        coverage = (store.generation, fresh)
        return fresh
    }

    /// The result already computed for the store's current generation, without running the rules.
    public func cachedResult(for store: EventStore) -> Hunter.Result? { generation == store.generation ? cached : nil }

    /// The session's cache.
    public static func of(_ session: Session) -> HuntFindings {
        session.attachment(HuntFindings.self) { HuntFindings() }
    }
}

extension RuleCoverage.Family {
    /// The JSON object documented in `help/hunt.md` (`coverage_gaps`).
    func json(only: Set<String>? = nil) -> JSONValue {
        .object([("server", .string(server)), ("evidence", .string(need.label)), ("kinds", .strings(need.kinds.map(\.rawValue))),
                 ("rules", .strings(only.map { o in rules.filter(o.contains) } ?? rules)), ("could_run", .bool(couldRun)),
                 ("first", first == Timestamp.unknown ? .null : .time(first)), ("last", last == Timestamp.unknown ? .null : .time(last)),
                 ("gaps", .strings(gaps.map { g in
                     switch g {
                     case .notLoaded: return "not-loaded"
                     case .startsAfterCampaign: return "starts-after-campaign"
                     case .endsBeforePatch: return "ends-before-patch"
                     }
                 })),
                 ("message", .string(sentence(only: only)))])
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

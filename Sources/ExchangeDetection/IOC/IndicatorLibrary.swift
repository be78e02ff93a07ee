/// The indicator sets of one investigation: the built-in sets, the files the analyst loaded, and the
/// analyst's own indicators (set `analyst`). Kept by the shell for the session.
public final class IndicatorLibrary {
    /// Name of the set `ioc add` writes to.
    public static let analystSet = "analyst"
    /// Names offered by Tab completion.
    public static var builtInNames: [String] { BuiltinIndicatorSets.names }

    public private(set) var sets: [IndicatorSet]
    /// Problems in the built-in data (empty unless a data file is broken).
    public let builtInProblems: [IOCLoadProblem]

    public init() {
        let b = BuiltinIndicatorSets.load()
        sets = b.sets
        builtInProblems = b.problems
    }

    /// For tests: a library with exactly these sets.
    public init(sets: [IndicatorSet]) {
        self.sets = sets
        builtInProblems = []
    }

    public func set(named name: String) -> IndicatorSet? { sets.first { $0.name.lowercased() == name.lowercased() } }

    /// Adds a loaded set, replacing an earlier load of the same name (a refreshed feed). Built-in names are refused.
    public func add(_ set: IndicatorSet) throws {
        if let i = sets.firstIndex(where: { $0.name.lowercased() == set.name.lowercased() }) {
            if sets[i].builtIn || set.name == Self.analystSet {
                throw LibraryError("a set named '\(set.name)' already exists and cannot be replaced; use --name")
            }
            sets[i] = set
        } else {
            sets.append(set)
        }
    }

    /// Adds one analyst indicator to the `analyst` set (created on first use).
    @discardableResult
    public func addAnalystIndicator(_ type: IndicatorType, _ value: String, note: String, date: String) throws -> Indicator {
        let made = IndicatorNormalizer.make(type, value, set: Self.analystSet, source: "analyst", date: date, note: note)
        let indicator: Indicator
        switch made {
        case .success(let i): indicator = i
        case .failure(let r): throw LibraryError(r.message)
        }
        if let i = sets.firstIndex(where: { $0.name == Self.analystSet }) {
            sets[i].append(indicator)
        } else {
            sets.append(IndicatorSet(name: Self.analystSet, provenance: "added by the analyst with 'ioc add'",
                                     indicators: [indicator]))
        }
        return indicator
    }

    /// The indicators of the named sets (all sets when `names` is empty), optionally of some types only.
    public func select(sets names: [String], types: Set<IndicatorType>) throws -> [Indicator] {
        var chosen: [IndicatorSet] = []
        if names.isEmpty { chosen = sets } else {
            for n in names {
                guard let s = set(named: n) else {
                    throw LibraryError("no indicator set '\(n)'; sets: \(sets.map(\.name).joined(separator: ", "))")
                }
                chosen.append(s)
            }
        }
        return chosen.flatMap(\.indicators).filter { types.isEmpty || types.contains($0.type) }
    }

    public struct LibraryError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }
}

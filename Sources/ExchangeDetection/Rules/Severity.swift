/// How urgent a finding is. Ordered, so `--min-severity` can compare.
public enum Severity: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    /// The lower-case name used in output, JSON and `--min-severity`.
    public var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    public var description: String { name }

    /// Parses a name as given on the command line (case-insensitive).
    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = s
    }
}

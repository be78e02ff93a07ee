/// Something wrong with one evidence file or one of its lines, reported instead of aborting the load.
public struct LoadProblem: Sendable, Hashable {
    /// 1-based line number, or nil when the problem concerns the whole file.
    public var line: Int?
    public var message: String
    public init(line: Int? = nil, _ message: String) {
        self.line = line
        self.message = message
    }
}

/// The problems of one file: all are counted, the first few of each message kept verbatim.
public struct ProblemLog: Sendable {
    public private(set) var kept: [LoadProblem] = []
    public private(set) var total = 0
    /// How many occurrences of one kind of message are kept with their line numbers.
    public static let keepPerKind = 20
    private var perKind: [String: Int] = [:]
    /// The line (or record) number of every problem, kept, not just the first few, until the load's byte
    /// accounting has checked that each line no event holds is named by a problem (then dropped).
    private(set) var lines: [Int] = []

    public init() {}

    /// Kinds other code asks about (`load` warns when times are a guess): named once, so a reader and the warning
    /// cannot drift apart.
    public static let dateOrderKind = "date order"
    public static let localTimeAsUTCKind = "local time read as UTC"

    public mutating func add(_ problem: LoadProblem, kind: String? = nil) {
        total += 1
        if let line = problem.line, lines.last != line { lines.append(line) }
        let key = kind ?? problem.message
        let n = perKind[key, default: 0]
        perKind[key] = n + 1
        if n < Self.keepPerKind { kept.append(problem) }
    }

    /// Frees the line numbers once the accounting is done.
    mutating func forgetLines() { lines = [] }

    /// Counts per kind of problem, for summaries ("wrong field count: 1,204 lines").
    public var countsByKind: [(kind: String, count: Int)] {
        perKind.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

import ExchangeEvidence

/// A problem found while loading an indicator file: which file, which line, what was wrong.
public struct IOCLoadProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line, or nil when the problem concerns the whole file.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// The outcome of loading one indicator file: the indicators that were valid and every problem with the rest.
public struct IOCLoadResult: Sendable {
    public var set: IndicatorSet
    /// Which reader understood the file.
    public var format: IndicatorFileFormat
    /// The first problems verbatim (at most `IndicatorCollector.keptProblems`).
    public var problems: [IOCLoadProblem]
    /// All problems, including those not kept.
    public var problemCount: Int
    /// Values given more than once (same type and normalised value), kept once.
    public var repeated: Int = 0
    /// The first such repeat, e.g. `ip 1.2.3.4 at lines 7 and 12`, so the analyst can look at it.
    public var firstRepeat: String?
}

/// Gathers indicators for one file: normalises each value and turns every rejection into a problem
/// naming the file and line, so one bad row never stops the rest from loading.
struct IndicatorCollector {
    static let keptProblems = 50

    let file: String
    let source: String
    var set: IndicatorSet
    private(set) var problems: [IOCLoadProblem] = []
    private(set) var problemCount = 0
    private(set) var repeated = 0
    private(set) var firstRepeat: String?
    /// Where each value was first given, to name both lines of the first repeat.
    private var firstLines: [String: Int] = [:]

    init(file: String, setName: String, provenance: String, source: String) {
        self.file = file
        self.source = source
        set = IndicatorSet(name: setName, provenance: provenance)
    }

    mutating func problem(_ line: Int?, _ message: String) {
        problemCount += 1
        if problems.count < Self.keptProblems { problems.append(IOCLoadProblem(file: file, line: line, message: message)) }
    }

    /// Adds one value; returns false (after recording why, prefixed with `context` such as a STIX id)
    /// when it is not a valid indicator of `type`.
    @discardableResult
    mutating func add(_ type: IndicatorType, _ raw: String, line: Int?, date: String = "", note: String = "",
                      validFrom: String = "", validUntil: String = "", source: String? = nil, context: String = "") -> Bool {
        switch IndicatorNormalizer.make(type, raw, set: set.name, source: source ?? self.source, date: date, note: note) {
        case .success(var i):
            i.validFrom = validFrom
            i.validUntil = validUntil
            if let until = Timestamp.parse(validUntil), let from = Timestamp.parse(validFrom), until < from {
                // STIX requires valid_until after valid_from; with the two swapped every hit would read as expired.
                problem(line, (context.isEmpty ? "" : "\(context): ")
                        + "valid_until \(validUntil) is before valid_from \(validFrom); loaded without valid_until")
                i.validUntil = ""
            }
            let key = "\(i.type.rawValue) \(i.normalized)"
            if set.append(i) {
                if let line { firstLines[key] = line }
            } else {
                repeated += 1
                if firstRepeat == nil {
                    let lines = [firstLines[key], line].compactMap { $0 }.map(String.init)
                    firstRepeat = key + (lines.count == 2 ? " at lines \(lines[0]) and \(lines[1])" : "")
                }
            }
            return true
        case .failure(let r):
            problem(line, context.isEmpty ? r.message : "\(context): \(r.message)")
            return false
        }
    }

    func result(_ format: IndicatorFileFormat) -> IOCLoadResult {
        var p = problems
        if problemCount > problems.count {
            p.append(IOCLoadProblem(file: file, line: nil,
                                    message: "\(problemCount - problems.count) more problems not shown"))
        }
        return IOCLoadResult(set: set, format: format, problems: p, problemCount: problemCount,
                             repeated: repeated, firstRepeat: firstRepeat)
    }
}

/// Maps byte offsets of a loaded file to line numbers, and finds where a value first appears
/// (JSON parsers do not report lines, but problems must name one).
struct LineLocator {
    private var lineStarts: [Int] = [0]
    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        for (i, b) in bytes.enumerated() where b == 0x0A { lineStarts.append(i + 1) }
    }

    /// 1-based line of a byte offset.
    func line(at offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count
        while lo + 1 < hi {
            let mid = (lo + hi) >> 1
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid }
        }
        return lo + 1
    }

    /// Offset of the first occurrence of `needle` at or after `from`, or nil.
    func find(_ needle: String, from: Int = 0) -> Int? { Self.find(needle, in: bytes, from: from) }

    static func find(_ needle: String, in bytes: [UInt8], from: Int = 0) -> Int? {
        let n = Array(needle.utf8)
        guard !n.isEmpty, bytes.count >= n.count else { return nil }
        var i = max(0, from)
        let first = n[0]
        while i <= bytes.count - n.count {
            if bytes[i] == first {
                var k = 1
                while k < n.count && bytes[i + k] == n[k] { k += 1 }
                if k == n.count { return i }
            }
            i += 1
        }
        return nil
    }
}

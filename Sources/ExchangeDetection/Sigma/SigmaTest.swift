import ExchangeEvidence
import Foundation
import Synchronization

/// One comparison of a field value, after the modifiers of its item were applied.
enum SigmaTest: Sendable, Hashable {
    case pattern(SigmaPattern)
    /// A pattern on a user agent, compared with IIS's `+` for spaces, HttpProxy's spaces and its dropped commas
    /// alike (both sides folded with `IndicatorNormalizer.uaFold`): SigmaHQ's web rules are written in IIS's
    /// spelling, and the same request logged by the front end must match them too.
    case userAgent(SigmaPattern)
    /// `re`: an unanchored search; flags from `re|i`, `re|m`, `re|s`.
    case regex(SigmaRegex)
    case cidr(IPBlock)
    case compare(CompareOp, Double)
    /// A plain integer value of the rule read in the event's other notation (`2456` against `0x998`).
    case integer(SigmaInteger)
    /// `exists: true|false`.
    case exists(Bool)
    /// `null`: the field is absent or empty.
    case null
    /// `fieldref`: compared with another field of the same event (equals, or contains/startswith/endswith).
    case fieldRef(String, FieldRefMode)

    enum CompareOp: String, Sendable, Hashable { case gt, gte, lt, lte }
    enum FieldRefMode: String, Sendable, Hashable { case equals, contains, startswith, endswith }

    var isUserAgent: Bool { if case .userAgent = self { true } else { false } }

    /// The test as it applies to a user-agent field (see `userAgent`); other tests are unchanged.
    var forUserAgent: SigmaTest {
        if case .pattern(let p) = self { return .userAgent(p.mapped(IndicatorNormalizer.uaFold)) }
        return self
    }

    /// True when the test decides on one value alone (not on presence or another field).
    var isValueTest: Bool {
        switch self {
        case .pattern, .userAgent, .regex, .cidr, .compare, .integer: true
        case .exists, .null, .fieldRef: false
        }
    }

    /// Tests a present value.
    func matches(_ v: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .pattern(let p): return p.matches(v)
        case .userAgent(let p):
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(v.count, 1)) { buf in
                for i in 0..<v.count { buf[i] = IndicatorNormalizer.uaFold(v[i]) }
                return p.matches(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<v.count]))
            }
        case .regex(let r): return r.matches(String(decoding: v, as: UTF8.self))
        case .cidr(let c): return c.contains(String(decoding: v, as: UTF8.self))
        case .compare(let op, let n):
            guard let x = Double(String(decoding: v, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else { return false }
            switch op {
            case .gt: return x > n
            case .gte: return x >= n
            case .lt: return x < n
            case .lte: return x <= n
            }
        case .integer(let n): return n.matches(v)
        case .exists(let want): return want
        case .null: return v.isEmpty
        case .fieldRef: return false
        }
    }

    /// Tests an absent field.
    var matchesAbsent: Bool {
        switch self {
        case .exists(let want): !want
        case .null: true
        default: false
        }
    }
}

/// A compiled `re` value. NSRegularExpression is a class; the wrapper gives it value semantics by its source.
///
/// ICU's matcher backtracks: a rule's `(a+)+$` can run for hours on one long value, and a deep one
/// overflows ICU's stack and reports no match. Each search is therefore watched: one that runs past
/// `timeLimit`, or that ICU gives up on, is stopped and counts as no match, and `stops` keeps it so the hunt
/// says so (`SigmaRegexStops`). After `giveUpAfter` such values the expression is not run any more.
struct SigmaRegex: @unchecked Sendable, Hashable {
    let source: String
    let options: NSRegularExpression.Options
    let regex: NSRegularExpression
    let stops = SigmaRegexStops()

    static let timeLimit: UInt64 = 1_000_000_000
    static let giveUpAfter = 3

    init(_ source: String, options: NSRegularExpression.Options) throws {
        self.source = source
        self.options = options
        regex = try NSRegularExpression(pattern: source, options: options)
    }

    /// The longest run of plain characters every match must contain (empty when none is certain), so a
    /// regular expression over a text field is checked only where that run occurs. Conservative: an
    /// alternation anywhere gives none; groups, classes, escapes other than escaped punctuation, and a
    /// character made optional by the quantifier after it end a run.
    var requiredLiteral: [UInt8] {
        let c = Array(source.utf8)
        if c.contains(UInt8(ascii: "|")) { return [] }
        var best: [UInt8] = [], run: [UInt8] = []
        func end() { if run.count > best.count { best = run }; run = [] }
        var i = 0, depth = 0
        while i < c.count {
            let ch = c[i]
            switch ch {
            case UInt8(ascii: "("): depth += 1; end(); i += 1
            case UInt8(ascii: ")"): depth -= 1; end(); i += 1
            case UInt8(ascii: "["):
                end()
                i += 1
                while i < c.count && c[i] != UInt8(ascii: "]") { i += c[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{"):
                if !run.isEmpty { run.removeLast() }
                end()
                if ch == UInt8(ascii: "{") { while i < c.count && c[i] != UInt8(ascii: "}") { i += 1 } }
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"): end(); i += 1
            case UInt8(ascii: "\\"):
                if i + 1 < c.count, !(c[i + 1] >= 0x30 && c[i + 1] <= 0x39 || c[i + 1] >= 0x41 && c[i + 1] <= 0x5A || c[i + 1] >= 0x61 && c[i + 1] <= 0x7A) {
                    if depth == 0 { run.append(c[i + 1]) } else { end() }
                } else {
                    end()
                }
                i += 2
            default:
                if depth == 0 && ch < 0x80 { run.append(ch) } else { end() }
                i += 1
            }
        }
        end()
        return best.map(ByteMatch.lower)
    }

    func matches(_ s: String) -> Bool {
        if stops.givenUp { return false }
        var found = false, stopped = false
        let start = DispatchTime.now().uptimeNanoseconds
        regex.enumerateMatches(in: s, options: [.reportProgress, .reportCompletion], range: NSRange(s.startIndex..., in: s)) { match, flags, stop in
            if match != nil { found = true; stop.pointee = true; return }
            if flags.contains(.internalError) { stopped = true; return }
            if !flags.contains(.completed) && DispatchTime.now().uptimeNanoseconds - start > Self.timeLimit {
                stopped = true
                stop.pointee = true
            }
        }
        if stopped && !found { stops.record(s) }
        return found
    }

    static func == (a: SigmaRegex, b: SigmaRegex) -> Bool { a.source == b.source && a.options == b.options }
    func hash(into h: inout Hasher) { h.combine(source); h.combine(options.rawValue) }
}


/// The values a `re` test stopped on in the running hunt (see `SigmaRegex`), shared by the copies of one
/// compiled expression and safe to record from both cores.
final class SigmaRegexStops: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    private var stopped = 0
    /// Read before every search of the expression, so without the lock: stops are rare, searches are not.
    private let gaveUp = Atomic<Bool>(false)

    /// True once `SigmaRegex.giveUpAfter` values were stopped: later values are not searched.
    var givenUp: Bool { gaveUp.load(ordering: .relaxed) }

    func record(_ value: String) {
        lock.withLock {
            stopped += 1
            if values.count < SigmaRegex.giveUpAfter { values.append(value) }
            if stopped >= SigmaRegex.giveUpAfter { gaveUp.store(true, ordering: .relaxed) }
        }
    }

    /// The values stopped on since the last `reset`, the first few of them.
    var stoppedValues: (count: Int, first: [String]) { lock.withLock { (stopped, values) } }

    func reset() {
        lock.withLock {
            stopped = 0
            values = []
            gaveUp.store(false, ordering: .relaxed)
        }
    }
}

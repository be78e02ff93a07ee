import ExchangeEvidence
import Foundation

/// The filters of `timeline` (and `export timeline --filter`, and the report), as typed. All given filters
/// must hold; repeated `--server`, `--source`, `--ip` widen (any of them), repeated `--contains`
/// and `--field` narrow (all of them).
public struct TimelineFilter {
    public var from: String?
    public var to: String?
    public var servers: [String] = []
    public var sources: [String] = []
    public var ips: [String] = []
    public var contains: [String] = []
    /// `NAME=VALUE` pairs; NAME is an interned field (`client_ip`, `user_agent`, …) or any column name.
    public var fields: [(name: String, value: String)] = []
    public var markedOnly = false
    /// The labels `--marked` keeps (any of them); empty keeps every marked event.
    public var markLabels: Set<String> = []
    public var findingsOnly = false
    /// `--finding F6`: only the events these findings rest on (ids as `hunt` prints them).
    public var findingIDs: [String] = []
    public var around: EventID?
    public var window: Int64 = 600_000
    public var limit: Int?

    public init() {}

    /// The options shared by every command that takes timeline filters.
    public static let options: [OptionSpec] = [
        .value("from", "TIME", "from this time: 2021-03-03, '2021-03-03 06:00', ISO 8601, or -2h before the newest event"),
        .value("to", "TIME", "up to and including this time (same forms as --from)"),
        .repeated("server", "NAME", "only this server (repeatable)"),
        .repeated("source", "KIND", "only this source kind, or KIND/CHANNEL such as httpproxy/ecp (repeatable)"),
        .repeated("ip", "ADDRESS", "only events with this client IP; a prefix ending in '.' or ':' (167.99.) or a CIDR such as 10.0.0.0/8"),
        .repeated("contains", "TEXT", "only events whose raw line contains TEXT (case-insensitive; repeatable, all must match)"),
        .repeated("field", "NAME=VALUE", "only events whose field NAME equals VALUE (case-insensitive; repeatable)"),
        .flag("marked", "only marked events; label words after it (malicious, suspicious, benign, reviewed) keep those labels"),
        .flag("findings", "only events cited by a finding"),
        .repeated("finding", "ID", "only the events finding ID rests on, e.g. F6 (repeatable; ids as 'hunt' prints them)"),
        .value("around", "EVENT_ID", "only events within --window of this event"),
        .value("window", "DURATION", "time either side of --around (default 10m; s, m, h, d)"),
        .value("limit", "N", "at most N events (0 = all)"),
    ]

    /// Mark labels, in order of weight.
    public static let labels = ["malicious", "suspicious", "benign", "reviewed"]

    /// Reads the filters from parsed arguments. Positional words are the mark labels of `--marked`
    /// and the time of day of an unquoted `--from 2021-03-03 06:00`; anything else is an error.
    public static func parse(_ args: Arguments, command: String) throws -> TimelineFilter {
        var f = TimelineFilter()
        f.from = args.value("from")
        f.to = args.value("to")
        f.servers = args.values("server")
        f.sources = args.values("source")
        f.ips = args.values("ip")
        for ip in f.ips {
            if let problem = IPMatch.problem(ip) { throw ShellError("\(command): --ip: \(TerminalText.escape(problem))") }
        }
        f.contains = args.values("contains")
        for pair in args.values("field") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ShellError("\(command): --field needs NAME=VALUE, got '\(TerminalText.escape(pair))'")
            }
            f.fields.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
        }
        f.markedOnly = args.flag("marked")
        f.findingsOnly = args.flag("findings")
        f.findingIDs = args.values("finding")
        if let a = args.value("around") {
            guard let id = Int(a.hasPrefix("#") ? String(a.dropFirst()) : a), id >= 0 else {
                throw ShellError("\(command): --around needs an event id, got '\(TerminalText.escape(a))'")
            }
            f.around = id
        }
        if let w = args.value("window") {
            guard f.around != nil else { throw ShellError("\(command): --window is the time either side of --around EVENT_ID; give --around too") }
            guard let ms = TimeSpec.duration(w) else {
                throw ShellError("\(command): --window needs a duration such as 90s, 10m, 2h, got '\(TerminalText.escape(w))'")
            }
            f.window = ms
        }
        if let l = args.value("limit") {
            guard let n = Int(l), n >= 0 else { throw ShellError("\(command): --limit needs a number, got '\(TerminalText.escape(l))'") }
            f.limit = n == 0 ? Int.max : n
        }
        var rest: [String] = []
        for word in args.positional {
            if f.markedOnly && labels.contains(word.lowercased()) { f.markLabels.insert(word.lowercased()); continue }
            if f.markedOnly && rest.isEmpty && !isClock(word) && word.first?.isLetter == true {
                throw ShellError("\(command): --marked: '\(TerminalText.escape(word))' is not a mark label; labels: \(labels.joined(separator: ", "))")
            }
            if isClock(word) {
                if let from = f.from, from.count == 10 { f.from = from + " " + word; continue }
                if let to = f.to, to.count == 10 { f.to = to + " " + word; continue }
            }
            rest.append(word)
        }
        if let first = rest.first {
            // A time after an unquoted date is the likely slip; any other word is no filter at all.
            let hint = first.first?.isNumber == true ? "quote a date with a time: --from '2021-03-03 06:00'"
                : "filters are options, e.g. --server EX01 --contains TEXT; see help timeline"
            throw ShellError("\(command): unexpected '\(TerminalText.escape(rest.joined(separator: " ")))' (\(hint))")
        }
        return f
    }

    /// Parses a filter given as one string (`export timeline FILE --filter "--server EX01 --from -2h"`).
    public static func parse(_ text: String, command: String) throws -> TimelineFilter {
        let words = try Tokenizer.commands(text).flatMap { $0 }
        let within = command + " --filter"
        return try parse(Arguments.parse(words, specs: options, command: within), command: within)
    }

    private static func isClock(_ w: String) -> Bool {
        let b = Array(w.utf8)
        return (b.count == 5 || b.count == 8 || b.count > 9) && b[2] == UInt8(ascii: ":") && b[0] >= 48 && b[0] <= 57
    }

    /// True when no filter narrows the events (a limit alone does not).
    public var isEmpty: Bool {
        from == nil && to == nil && servers.isEmpty && sources.isEmpty && ips.isEmpty && contains.isEmpty && fields.isEmpty
            && !markedOnly && !findingsOnly && findingIDs.isEmpty && around == nil
    }
}

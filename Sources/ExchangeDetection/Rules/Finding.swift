import ExchangeEvidence

/// One conclusion of a rule: what was seen, where, when, and the events it rests on.
///
/// The summary quotes the field values that decided the finding as they are in the evidence;
/// it may hold attacker-controlled text, so renderers must escape it before printing.
public struct Finding: Sendable, Hashable {
    /// Stable rule id, e.g. `proxylogon.ssrf`.
    public var rule: String { about.rule }
    public var title: String { about.title }
    public var cves: [String] { about.cves }
    public var severity: Severity { about.severity }
    public var server: String { origin.server }
    /// Time of the earliest event (ms since the epoch, UTC; `Timestamp.unknown` if none had a time).
    public let time: Int64
    /// The events the finding rests on, in time order (undated ones last), the deciding one first when a rule
    /// names it: the first is the event at `file`:`line`.
    public let events: FindingEvents
    /// Path (relative to the evidence root) and 1-based line of the first event.
    public var file: String { origin.file }
    public let line: Int
    /// One line explaining the finding with the deciding field values.
    public var summary: String {
        switch explanation {
        case .text(let s): return s
        case .deferred(let explainer): return explainer.summary(of: events)
        }
    }
    /// What the rule says of all its findings, and where the first event is: shared by reference, so a hunt with
    /// millions of Sigma findings keeps a finding in 72 bytes (was 128) and copies it with four reference counts, not seven.
    let about: About
    let origin: Origin
    private let explanation: Explanation

    /// The facts a rule's findings share: id, title, CVEs and severity.
    public final class About: Sendable {
        let rule: String, title: String, cves: [String], severity: Severity
        public init(rule: String, title: String, cves: [String], severity: Severity) {
            self.rule = rule
            self.title = title
            self.cves = cves
            self.severity = severity
        }
    }

    /// The server and evidence path a finding's first event comes from, shared by the findings of one file.
    public final class Origin: Sendable {
        let server: String, file: String
        public init(server: String, file: String) {
            self.server = server
            self.file = file
        }
    }

    public init(rule: String, title: String, cves: [String], severity: Severity, server: String, time: Int64,
                events: [EventID], file: String, line: Int, summary: String) {
        self.init(about: About(rule: rule, title: title, cves: cves, severity: severity), origin: Origin(server: server, file: file),
                  time: time, events: FindingEvents(events), line: line, explanation: .text(summary))
    }

    /// A finding whose summary `explainer` writes when it is first read: for rules whose findings are many and
    /// whose explanation costs a read of the event line, most of them never shown one by one.
    public init(about: About, origin: Origin, time: Int64, events: FindingEvents, line: Int, explainer: any FindingExplainer) {
        self.init(about: about, origin: origin, time: time, events: events, line: line, explanation: .deferred(explainer))
    }

    private init(about: About, origin: Origin, time: Int64, events: FindingEvents, line: Int, explanation: Explanation) {
        self.about = about
        self.origin = origin
        self.time = time
        self.events = events
        self.line = line
        self.explanation = explanation
    }

    /// Findings are equal when they say the same: the summary compared as text, however it was written.
    public static func == (a: Finding, b: Finding) -> Bool {
        a.rule == b.rule && a.title == b.title && a.cves == b.cves && a.severity == b.severity && a.server == b.server
            && a.time == b.time && a.events == b.events && a.file == b.file && a.line == b.line && a.summary == b.summary
    }

    /// Hashes what identifies a finding without writing a deferred summary.
    public func hash(into h: inout Hasher) {
        h.combine(rule)
        h.combine(server)
        h.combine(time)
        h.combine(events)
        h.combine(file)
        h.combine(line)
    }

    private enum Explanation: Sendable {
        case text(String)
        case deferred(any FindingExplainer)
    }

    /// Builds a finding of `rule` from its events: server, time, file and line come from the earliest event.
    /// `at`: the event that decided the finding, when others only give context (a role grant before a mailbox
    /// export): the finding is placed at its time and line, not at the earliest event's, and it is cited first,
    /// so every output's "first event" is the finding's FILE:LINE.
    public init(_ rule: any DetectionRule, store: EventStore, events: [EventID], severity: Severity? = nil,
                title: String? = nil, cves: [String]? = nil, at decisive: EventID? = nil, summary: String) {
        var ordered = store.sortedByTime(events)
        if let decisive, let i = ordered.firstIndex(of: decisive), i > 0 { ordered.insert(ordered.remove(at: i), at: 0) }
        let first = decisive ?? ordered.first ?? 0
        let known = decisive.flatMap { store.time[$0] == Timestamp.unknown ? nil : $0 } ?? ordered.first { store.time[$0] != Timestamp.unknown }
        self.init(rule: rule.id, title: title ?? rule.title, cves: cves ?? rule.cves, severity: severity ?? rule.severity,
                  server: ordered.isEmpty ? "" : store.server(of: first),
                  time: known.map { store.time[$0] } ?? Timestamp.unknown,
                  events: ordered, file: ordered.isEmpty ? "" : store.citation(of: store.file(of: first)),
                  line: ordered.isEmpty ? 0 : store.line(of: first), summary: summary)
    }
}

/// Writes the summary of findings on demand from their events (one explainer serves all findings of a rule).
/// Called from any thread; the summary must depend on the events alone, so that it reads the same every time.
public protocol FindingExplainer: AnyObject, Sendable {
    func summary(of events: FindingEvents) -> String
}

extension EventStore {
    /// Events sorted by time (unknown times last), ties by id: a finding's first event is its earliest dated one,
    /// so every output that cites "the first event" (hunt's FILE:LINE, the exports' `log.file.path`, the report)
    /// names the same (reviewer: a chain cited its undated collected shell first in exports, its SSRF in hunt).
    public func sortedByTime(_ ids: [EventID]) -> [EventID] {
        let t = time
        func key(_ e: EventID) -> Int64 { t[e] == Timestamp.unknown ? Int64.max : t[e] }
        return ids.sorted { key($0) != key($1) ? key($0) < key($1) : $0 < $1 }
    }
}

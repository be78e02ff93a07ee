import ExchangeEvidence

/// One line of a server's story as the report tells it first: when, what, from where, and where to read more.
struct KeyMoment: Equatable {
    /// `Timestamp.unknown` for an undated event (a collected web file): listed after the dated moments.
    var time: Int64
    /// Finding titles, marked events (the analyst's note, or the event's message), or the update.
    var what: [String]
    /// Client addresses of the events, in order of appearance.
    var from: [String] = []
    /// `F6 chain.proxylogon`, `FILE:LINE marked suspicious`; empty for an update.
    var references: [String] = []
    /// True when it happened after the first update that closed an exposure window: a shell still used after
    /// patching is what "a patched server may already be compromised" means.
    var afterUpdate: Bool = false

    var isUpdate: Bool { references.isEmpty }
}

extension ServerAssessment {
    /// How many moments a server's story lists before pointing to the findings (a reader of this section wants the
    /// shape of the intrusion, not every rule).
    static let keyMomentLimit = 12
    /// Findings or marks this close to the previous one are one moment: two rules seeing the same request, or the
    /// steps of one exploit a few seconds apart.
    static let keyMomentSpan: Int64 = 60_000

    /// The moments a manager reads before the tables (instructor review: the Markdown report had no timeline and
    /// the chart names no moment): for a server judged compromised or attempted, the first finding of each rule
    /// (and its first after the update) at medium or above that the analyst did not clear, with its client address;
    /// every event marked malicious or suspicious; and the update that ended each exposure window (the first event
    /// on the fixed build). In time order, with what lies within a minute of the moment before joined to it, what
    /// came after the first such update flagged, and undated events (a collected web file) last, each on its own.
    var keyMoments: [KeyMoment] {
        guard verdict == .compromised || verdict == .attempted else { return [] }
        let updates = exposure.compactMap { e in e.until.map { (time: $0, campaign: e.campaign) } }
        let patched = updates.map(\.time).min()
        // A rule counts once before the first update and once after it: the same shell used again after patching matters.
        var rules = Set<String>()
        var seen: [KeyMoment] = []
        for f in findings.sorted(by: { $0.facts.time < $1.facts.time })
        where f.cleared == nil && f.rank <= ReportFinding.rank("medium")
            && rules.insert(f.facts.rule + (patched.map { f.facts.time > $0 } == true ? " after" : "")).inserted {
            seen.append(KeyMoment(time: f.facts.time, what: [f.facts.title], from: f.clientIP.map { [$0] } ?? [],
                                  references: ["\(f.id) \(f.facts.rule)"]))
        }
        for m in marks where m.label == "malicious" || m.label == "suspicious" {
            seen.append(KeyMoment(time: m.eventTime, what: [m.note.isEmpty ? m.message : "analyst: " + m.note],
                                  references: ["\(m.path):\(m.line) marked \(m.label)"]))
        }
        var out: [KeyMoment] = []
        var latest = Int64.min   // the newest time joined into the last moment, so a run of close steps stays one
        for m in seen.filter({ $0.time != Timestamp.unknown }).sorted(by: { $0.time < $1.time }) {
            if !out.isEmpty, m.time - latest <= Self.keyMomentSpan {
                var joined = out.removeLast()
                joined.what += m.what.filter { !joined.what.contains($0) }
                joined.from += m.from.filter { !joined.from.contains($0) }
                joined.references += m.references
                out.append(joined)
            } else {
                out.append(m)
            }
            latest = m.time
        }
        for u in updates {
            out.append(KeyMoment(time: u.time, what: ["first event on a build fixed for \(u.campaign): the update was installed by then"]))
        }
        let dated = out.sorted { $0.time < $1.time }.map { m in
            var m = m
            m.afterUpdate = !m.isUpdate && patched.map { m.time > $0 } == true
            return m
        }
        return dated + seen.filter { $0.time == Timestamp.unknown }
    }

    /// The moments a report lists when there are more than `keyMomentLimit`: every update (the turn of the story)
    /// and the earliest of the rest; and how many are left to the tables.
    static func listed(_ moments: [KeyMoment]) -> (shown: [KeyMoment], more: Int) {
        let room = max(0, keyMomentLimit - moments.filter(\.isUpdate).count)
        var others = 0
        let shown = moments.filter { m in
            if m.isUpdate { return true }
            others += 1
            return others <= room
        }
        return (shown, moments.count - shown.count)
    }
}

import ExchangeEvidence

/// One line of a server's story as the report tells it first: when, what, from where, and where to read more.
struct KeyMoment: Equatable {
    /// `Timestamp.unknown` for an undated event (a collected web file): listed after the dated moments.
    var time: Int64
    /// Finding titles, marked events (the analyst's note, or the event's message), or the update.
    var what: [String]
    /// Client addresses of the events, in order of appearance.
    var from: [String] = []
    /// Where to read more: a finding, a marked event or a finding's marked events; empty for an update.
    var refs: [Reference] = []
    /// How much the moment matters when not all can be listed (0 first): an update or a critical finding 0, a high
    /// finding or a malicious mark 1, a medium finding or a suspicious mark 2.
    var rank: Int
    /// The reference that gave the moment its rank, when steps of several ranks were joined: the verdict's
    /// sentence cites it (reviewer: "first high finding (F1)" named the medium finding beside the high one).
    var lead: Reference?
    /// When the lead happened, if later than `time` (joined within `keyMomentSpan`).
    var leadTime: Int64?
    /// The addresses of the step the verdict's sentence cites (the first, or the lead), when steps were joined:
    /// `from` holds every step's (reviewer: "F4, from 1.1.1.1, 1.1.1.4, …" where F4 came from 1.1.1.4 alone).
    var leadFrom: [String]?
    /// True when it happened after the first update that closed an exposure window: a shell still used after
    /// patching is what "a patched server may already be compromised" means.
    var afterUpdate: Bool = false

    /// What one reference names (`F6`, `FILE:LINE`) and what it says of it (`chain.proxylogon`, `marked malicious`):
    /// kept apart, because a path may hold spaces and the verdict's sentence cites only the name.
    struct Reference: Equatable {
        var name: String
        var detail: String
        var text: String { name + " " + detail }
    }

    /// The references as the "see" column shows them: `F6 chain.proxylogon`, `FILE:LINE marked suspicious`,
    /// `F6 marked malicious (28 events)`.
    var references: [String] { refs.map(\.text) }

    /// Addresses as the report lists them: the first `shownAddresses`, then how many more (a block list copied from
    /// a cut list must not look complete).
    static func addresses(_ list: [String]) -> String {
        list.count <= shownAddresses ? list.joined(separator: ", ")
            : list.prefix(shownAddresses).joined(separator: ", ") + " and \(list.count - shownAddresses) more (in the findings)"
    }

    static let shownAddresses = 8
    var isUpdate: Bool { refs.isEmpty }
}

extension ServerAssessment {
    /// How many moments a server's story lists before pointing to the findings (a reader of this section wants the
    /// shape of the intrusion, not every rule).
    static let keyMomentLimit = 12
    /// Findings or marks this close to the previous one are one moment: two rules seeing the same request, or the
    /// steps of one exploit a few seconds apart.
    static let keyMomentSpan: Int64 = 60_000

    /// The moments a manager reads before the tables (instructor review: the Markdown report had no timeline and
    /// the chart names no moment): for a server judged compromised or attempted, every critical finding and the first
    /// of each other rule (and its first after the update) at medium or above that the analyst did not clear, with
    /// its client address;
    /// events marked malicious or suspicious (those marked through a finding once per finding and label, at its
    /// first event: a chain's 28 events are one decision); and the update that ended each exposure window (the first
    /// event on the fixed build). In time order, with what lies within a minute of the moment before joined to it,
    /// what came after the first such update flagged, and undated events (a collected web file) last.
    var keyMoments: [KeyMoment] {
        guard verdict == .compromised || verdict == .attempted else { return [] }
        let updates = exposure.compactMap { e in e.until.map { (time: $0, campaign: e.campaign) } }
        let patched = updates.map(\.time).min()
        // A rule counts once before the first update and once after it: the same shell used again after patching
        // matters. A critical finding always counts: a second web shell written a day later is part of the story.
        var rules = Set<String>()
        var seen: [KeyMoment] = []
        for f in findings.sorted(by: { $0.facts.time < $1.facts.time })
        where f.cleared == nil && !f.foreign && f.rank <= ReportFinding.rank("medium")
            && (f.rank == ReportFinding.rank("critical")
                || rules.insert(f.facts.rule + (patched.map { f.facts.time > $0 } == true ? " after" : "")).inserted) {
            seen.append(KeyMoment(time: f.facts.time, what: [f.facts.title], from: f.clientIPs,
                                  refs: [.init(name: f.id, detail: f.facts.rule)], rank: f.rank))
        }
        seen += markMoments
        var out: [KeyMoment] = []
        var latest = Int64.min   // the newest time joined into the last moment, so a run of close steps stays one
        for m in seen.filter({ $0.time != Timestamp.unknown }).sorted(by: { $0.time < $1.time }) {
            if !out.isEmpty, m.time - latest <= Self.keyMomentSpan {
                var joined = out.removeLast()
                if joined.leadFrom == nil { joined.leadFrom = joined.from }
                joined.what += m.what.filter { !joined.what.contains($0) }
                joined.from += m.from.filter { !joined.from.contains($0) }
                joined.refs += m.refs
                if m.rank < joined.rank {
                    (joined.lead, joined.leadTime, joined.leadFrom) = (m.lead ?? m.refs.first, m.leadTime ?? m.time, m.leadFrom ?? m.from)
                }
                joined.rank = min(joined.rank, m.rank)
                out.append(joined)
            } else {
                out.append(m)
            }
            latest = m.time
        }
        for u in updates {
            out.append(KeyMoment(time: u.time, what: ["first event on a build fixed for \(u.campaign): the update was installed by then"], rank: 0))
        }
        let dated = out.sorted { $0.time < $1.time }.map { m in
            var m = m
            m.afterUpdate = !m.isUpdate && patched.map { m.time > $0 } == true
            if m.afterUpdate { m.rank = 0 }
            return m
        }
        return dated + seen.filter { $0.time == Timestamp.unknown }
    }

    /// Malicious and suspicious marks as moments: one per finding and label for marks made through a finding, one
    /// per event for the rest, with the analyst's note (labelled as theirs) or the event's message.
    private var markMoments: [KeyMoment] {
        func what(_ m: CaseMark) -> String { m.note.isEmpty ? m.message : "analyst: " + m.note }
        let decisive = marks.filter { $0.label == "malicious" || $0.label == "suspicious" }
        var out: [KeyMoment] = []
        var byFinding: [String: [CaseMark]] = [:]
        for m in decisive {
            guard let finding = m.finding else {
                out.append(KeyMoment(time: m.eventTime, what: [what(m)], from: markFrom[m].map { [$0] } ?? [],
                                     refs: [.init(name: "\(m.path):\(m.line)", detail: "marked \(m.label)")], rank: m.label == "malicious" ? 1 : 2))
                continue
            }
            byFinding[finding + " " + m.label, default: []].append(m)
        }
        for key in byFinding.keys.sorted() {
            let group = byFinding[key]!
            let dated = group.filter { $0.eventTime != Timestamp.unknown }
            let first = dated.min { $0.eventTime < $1.eventTime } ?? group[0]
            var notes: [String] = []
            for m in group where !notes.contains(what(m)) && !m.note.isEmpty { notes.append(what(m)) }
            // The moment is the group's first event: its address, not those of events days later (a chain's).
            out.append(KeyMoment(time: first.eventTime, what: notes.isEmpty ? [what(first)] : notes, from: markFrom[first].map { [$0] } ?? [],
                                 refs: [.init(name: markFinding[first.finding!] ?? "\(first.path):\(first.line)",
                                              detail: "marked \(first.label) (\(LoadCommand.count(group.count, "event")))")],
                                 rank: first.label == "malicious" ? 1 : 2))
        }
        return out
    }

    /// The verdict's story in one sentence, for a reader who stops at the verdict table (reviewer: it named three
    /// findings but not when, from where, or that the shell was used after patching): the first moment of the
    /// highest rank before the update, the update, and the first moment after it. Nil without such a moment.
    func storyLine(time: (Int64) -> String) -> String? {
        let moments = keyMoments.filter { $0.time != Timestamp.unknown }
        let before = moments.filter { !$0.isUpdate && !$0.afterUpdate }
        func said(_ m: KeyMoment) -> String {
            let from = m.leadFrom ?? m.from
            return time(m.leadTime ?? m.time) + " (" + ((m.lead ?? m.refs.first)?.name ?? "")
                + (from.isEmpty ? "" : ", from " + KeyMoment.addresses(from)) + ")"
        }
        // Patched before anything was found: said first, so attempts on a fixed build do not read as a breach
        // (reviewer: a server updated the night before was told of "activity after the update" alone).
        if before.isEmpty, let update = moments.first(where: \.isUpdate), let after = moments.first(where: \.afterUpdate) {
            return "update installed by \(time(update.time)), before the first finding \(said(after))"
        }
        guard let best = before.map(\.rank).min(), let first = before.first(where: { $0.rank == best }) else { return nil }
        // A high finding (rank 1, as a malicious mark) is not critical: "none critical; first critical evidence"
        // contradicted itself (reviewer).
        let marked = (first.lead ?? first.refs.first)?.detail.hasPrefix("marked malicious") == true
        let kind = best == 0 ? "critical evidence" : marked ? "event marked malicious" : best == 1 ? "high finding" : best == 2 ? "medium finding" : "finding"
        var parts = ["first \(kind) \(said(first))"]
        if let update = moments.first(where: \.isUpdate) { parts.append("update installed by \(time(update.time))") }
        if let after = moments.first(where: \.afterUpdate) { parts.append("activity after the update \(said(after))") }
        return parts.joined(separator: ", ")
    }

    /// The moments a report lists when there are more than `keyMomentLimit`: the most important (updates and what
    /// came after them, then critical findings and malicious marks, …), earliest first among equals, shown in their
    /// own order; and how many are left to the tables (reviewer: the earliest twelve were routine marks and the
    /// exploit fell off).
    static func listed(_ moments: [KeyMoment]) -> (shown: [KeyMoment], more: Int) {
        guard moments.count > keyMomentLimit else { return (moments, 0) }
        let chosen = Set(moments.indices.sorted { (moments[$0].rank, $0) < (moments[$1].rank, $1) }.prefix(keyMomentLimit))
        return (moments.indices.filter(chosen.contains).map { moments[$0] }, moments.count - keyMomentLimit)
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// The conclusion for one server.
public enum Verdict: String, CaseIterable, Sendable {
    case compromised
    case attempted
    case noEvidence = "no evidence"
    case notEnoughCoverage = "not enough coverage"
}

/// One finding as the report lists it.
struct ReportFinding {
    var id: String
    var facts: FindingFacts
    var events: [EventID]
    /// `FILE:LINE` of the first three events the finding cites.
    var places: [String] = []
    /// The client addresses of the cited events other than the server's own, in order of appearance: where the
    /// requests came from (all of them: a finding of 14 requests from 14 addresses named only the first; reviewer).
    var clientIPs: [String] = []
    /// Set when the analyst cleared the finding (every event it cites marked benign or reviewed): who and why.
    /// Such a finding is listed but does not count toward the verdict or the remediation.
    var cleared: String? = nil
    /// True when every event it cites is in a log whose lines name another computer than this server (filed here
    /// by its folder): it tells another machine's story, which the key moments leave out (reviewer: a workstation's
    /// 2019 event log became the server's "first critical evidence").
    var foreign = false

    /// The places cited, each written by `place`, then `+N` for the events beyond them.
    func citation(_ place: (String) -> String = { $0 }) -> String { Self.citation(places.map(place), count: events.count) }

    /// The citation of a finding with `count` events whose first places are `first`.
    static func citation(_ first: [String], count: Int) -> String {
        first.prefix(3).joined(separator: ", ") + (count > 3 ? " +\(count - 3)" : "")
    }

    static let severities = ["critical", "high", "medium", "low", "info"]
    var rank: Int { Self.rank(facts.severity) }
    static func rank(_ severity: String) -> Int { severities.firstIndex(of: severity) ?? severities.count }
}

/// Everything the report says about one server, with the reasons for its verdict.
struct ServerAssessment {
    var server: String
    var verdict: Verdict
    var reasons: [String]
    var findings: [ReportFinding]
    var marks: [CaseMark]
    var coverage: [Coverage]
    /// Which rules could not run, ran on logs missing part of the campaign, or cannot match on them (as `hunt` says it).
    var gaps: [String]
    /// Lines about the build and exposure windows (as `check-build` finds them), and the update to install.
    var build: [String]
    var recommendedUpdate: String?
    /// When the server was open to a campaign, for the chart.
    var exposure: [ReportBuilds.Exposure] = []
    /// The client address of each marked event that has one (as `ReportModel.clientIP` finds it).
    var markFrom: [CaseMark: String] = [:]
    /// This session's number of the finding marks were made through, by the number stored with them
    /// (`ReportModel.currentFindings`).
    var markFinding: [String: String] = [:]
    /// All the server's findings per severity name, listed or not.
    var counts: [String: Int] = [:]
    /// Of those, the ones the analyst cleared, per severity name (all of them are listed).
    var clearedCounts: [String: Int] = [:]
    /// The findings past `ReportModel.listedPerSeverity`, counted per rule.
    var unlisted: [RuleTally] = []

    /// Findings of one rule and severity on a server that the report counts instead of listing.
    struct RuleTally {
        var rule: String
        var title: String
        var severity: String
        var count: Int
        var first: Int64
        var last: Int64
    }

    /// How many findings the server has in all.
    var findingCount: Int { counts.values.reduce(0, +) }

    struct Coverage {
        var source: String
        var files: Int
        var events: Int
        var first: Int64
        var last: Int64
    }
}

/// Events containing an analyst IOC.
struct AnalystIOCHit {
    var ioc: AnalystIOC
    var count: Int
    var servers: [String]
    var first: Int64
    var last: Int64
    var sample: [EventID]
}

/// A published indicator (built-in or loaded IOC set) found in the evidence, as `grep-ioc` summarizes it.
struct PublishedIOCHit {
    var value: String
    var type: String
    var set: String
    var hits: Int
    var first: Int64
    var last: Int64
    var servers: [String]
    /// The HTTP statuses of its hits that are requests (`200×2,404×1`), "" when none: a path only refused is a guess.
    var statuses: String
}

/// The report's content, gathered from the session once and rendered as Markdown or HTML.
struct ReportModel {
    var generated: Int64
    var user: String
    var casePath: String?
    var zone: String
    var evidenceSets: [String]
    var servers: [ServerAssessment]
    var marks: [CaseMark]
    var markedEvents: [CaseMark: EventID]
    /// Marks followed from another copy to an event with a mark of its own, which counts: listed, deciding nothing.
    var setAside: Set<CaseMark>

    /// How the marks table names a mark's event: its place (written by `place`), not the session's event number,
    /// which means nothing to a reader of the report (reviewer); for a mark whose event is not loaded, also why it
    /// decides nothing.
    func markedEvent(_ m: CaseMark, place: (String) -> String) -> String {
        let at = place("\(m.path):\(m.line)")
        if markedEvents[m] != nil { return at }
        return at + (setAside.contains(m) ? " (set aside: the mark made on the copy loaded counts)" : " (not loaded: no verdict)")
    }
    var notes: [CaseNote]
    var iocHits: [AnalystIOCHit]
    var publishedHits: [PublishedIOCHit]
    /// Rules loaded from files (Sigma) that produced findings, for their titles, files and references.
    var loadedRules: [LoadedRule]
    var remediation: [RemediationCatalog.Applied]
    var files: [ReportFile]
    var auditCount: Int
    /// The exhunt build, rules, indicator sets, time zone and commands behind the report.
    var provenance: Provenance
    /// Log events per day over all servers, for the chart (file listings and collected files are not counted: their times are when files were made).
    var daily: [(day: Int64, events: Int)]

    /// Findings listed one by one per server and severity, earliest first; the rest are counted per rule (a
    /// Sigma folder over noisy logs can give millions, which no reader reads and no renderer should build).
    static let listedPerSeverity = 100

    /// Web logs must reach this far for "no evidence" to mean something: the ProxyLogon campaign was seen
    /// from 2021-01-06 and mass exploitation ran until the March 2021 updates were applied.
    static let minimumWebCoverage: Int64 = 86_400_000

    static func gather(_ session: Session) throws -> ReportModel {
        let store = session.store
        let state = CaseState.of(session)
        let marks = state.marks()
        var markedEvents: [CaseMark: EventID] = [:]
        var setAside = Set<CaseMark>()
        for m in marks {
            guard let e = state.event(of: m, in: store) else { continue }
            if e.setAside { setAside.insert(m) } else { markedEvents[m] = e.event }
        }
        let p = session.findingCitationsRunningHunt()
        let cleared = clearedFindings(p, marks: state.resolvedMarks(for: store))
        // Findings in time order: per server and severity the first `listedPerSeverity` are listed with their
        // summaries, the others counted per rule; cleared ones are always listed, since they are set aside.
        var listedIDs: [String] = []
        var counts: [String: [String: Int]] = [:]
        var clearedCounts: [String: [String: Int]] = [:]
        var tallies: [String: [String: ServerAssessment.RuleTally]] = [:]
        var rulesFound = Set<String>()
        for id in p.findingIDs {
            guard let o = p.outline(ofFinding: id) else { continue }
            rulesFound.insert(o.rule)
            let n = counts[o.server, default: [:]][o.severity, default: 0]
            counts[o.server, default: [:]][o.severity] = n + 1
            if cleared[id] != nil {
                clearedCounts[o.server, default: [:]][o.severity, default: 0] += 1
                listedIDs.append(id)
                continue
            }
            if n < listedPerSeverity { listedIDs.append(id); continue }
            let key = o.severity + "\u{0}" + o.rule
            var t = tallies[o.server, default: [:]][key]
                ?? .init(rule: o.rule, title: o.title, severity: o.severity, count: 0, first: o.time, last: o.time)
            t.count += 1
            if o.time != Timestamp.unknown {
                t.first = t.first == Timestamp.unknown ? o.time : min(t.first, o.time)
                t.last = max(t.last, o.time)
            }
            tallies[o.server, default: [:]][key] = t
        }
        let findings = listedIDs.compactMap { id in
            p.facts(ofFinding: id).map { found in
                // Times inside a summary are shown in the session's zone, like the row's own time (as `hunt` does).
                var facts = found
                facts.summary = session.localTimes(found.summary)
                let events = p.events(ofFinding: id) ?? []
                let places = events.prefix(3).map { store.citation(of: $0) }
                return ReportFinding(id: id, facts: facts, events: events, places: places, clientIPs: Self.clientIPs(of: events, in: store),
                                     cleared: cleared[id], foreign: store.restOnOtherComputers(events))
            }
        }
        let builds = ReportBuilds(store: store, time: session.displayTime)
        let ruleCoverage = HuntFindings.of(session).ruleCoverage(for: store)

        // A mark decides a verdict only on evidence loaded now: a case file holds every mark of the investigation
        // (and `./exhunt.case`, used when no case is open, may hold another's; reviewer), and a server this session
        // has no evidence of is not assessed. Such marks stay in the marks table, said to be not loaded.
        var serverNames = Set(store.files.map(\.server))
        for m in marks where markedEvents[m] != nil { serverNames.insert(m.server) }
        for f in findings where !f.facts.server.isEmpty { serverNames.insert(f.facts.server) }
        let servers = serverNames.sorted().map { name -> ServerAssessment in
            let files = store.files.filter { $0.server == name }
            var groups: [String: ServerAssessment.Coverage] = [:]
            for f in files {
                let key = f.channel.isEmpty ? f.kind.rawValue : "\(f.kind.rawValue)/\(f.channel)"
                var c = groups[key] ?? .init(source: key, files: 0, events: 0, first: Int64.max, last: Int64.min)
                c.files += 1; c.events += f.eventCount
                if f.firstTime != Timestamp.unknown { c.first = min(c.first, f.firstTime); c.last = max(c.last, f.lastTime) }
                groups[key] = c
            }
            let mine = findings.filter { $0.facts.server == name }.sorted { ($0.rank, $0.facts.time) < ($1.rank, $1.facts.time) }
            let myMarks = marks.filter { $0.server == name && markedEvents[$0] != nil }
            let coverage = groups.values.sorted { $0.source < $1.source }
            let gaps = ruleCoverage.sentences(of: name, time: session.displayTime)
            let mineCounts = counts[name] ?? [:]
            var (verdict, reasons) = decide(findings: mine, counts: mineCounts, cleared: clearedCounts[name] ?? [:], marks: myMarks,
                                            coverage: coverage, gaps: gaps)
            // Logs whose server is in doubt: filed here by a guess (they name none), or by their folder although
            // their lines name another computer (reviewer: a transport agent installed on `exchange01` read as EX01's,
            // "after the update"). The findings resting on them are named.
            func resting(_ files: Set<Int>) -> [String] {
                p.findingIDs.filter { id in
                    p.outline(ofFinding: id)?.server == name
                        && (p.events(ofFinding: id) ?? []).contains { files.contains(Int(store.fileIndex[$0])) }
                }
            }
            func restingText(_ ids: [String], _ one: Bool) -> String {
                ids.isEmpty ? "no finding rests on \(one ? "it" : "them")"
                    : ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "") + " rest\(ids.count == 1 ? "s" : "") on \(one ? "it" : "them")"
            }
            let mineFiles = store.files.indices.filter { store.files[$0].server == name }
            let guessedFiles = Set(mineFiles.filter { store.files[$0].facts[EvidenceFile.serverGuessedFact] != nil })
            if !guessedFiles.isEmpty {
                let guessed = guessedFiles.sorted().map { store.citation(of: store.files[$0]) }
                let one = guessed.count == 1
                let how = guessedFiles.allSatisfy { store.files[$0].facts[EvidenceFile.serverGuessedFact] == name && name.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } }
                    ? "by \(one ? "its" : "their") server address, beside logs of the same time that answered on others"
                    : "because most logs in \(one ? "its" : "their") folder name \(name), beside other servers' logs"
                reasons.append("\(guessed.count) log\(one ? " names" : "s name") no server and \(one ? "was" : "were") filed here \(how) ("
                               + guessed.prefix(3).joined(separator: ", ") + (guessed.count > 3 ? ", …" : "")
                               + "): what \(one ? "it holds" : "they hold") may be another server's, and \(one ? "it counts" : "they count") "
                               + "in this server's log coverage; " + restingText(resting(guessedFiles), one))
            }
            // Times read by a guess (a listing's day/month order, local times with no zone read as UTC): the story's
            // order may be wrong, and the reader must hear it where `load` said it (reviewer: a shell shown "on disk"
            // 49 minutes after its use, the guess unsaid).
            let guessedTimes = Set(mineFiles.filter { f in
                store.files[f].problems.countsByKind.contains { $0.kind == ProblemLog.dateOrderKind || $0.kind == ProblemLog.localTimeAsUTCKind }
            })
            if !guessedTimes.isEmpty {
                let named = guessedTimes.sorted().map { store.citation(of: store.files[$0]) }
                let one = named.count == 1
                reasons.append("the times of \(named.count) file\(one ? "" : "s") here are a guess (" + named.prefix(3).joined(separator: ", ")
                               + (named.count > 3 ? ", …" : "") + "): a day/month order the dates do not tell, or local times with no zone "
                               + "read as UTC ('sources --problems' says which; load with --date-order or --local-time to settle it); "
                               + restingText(resting(guessedTimes), one))
            }
            let otherFiles = Set(mineFiles.filter { store.files[$0].facts[EvidenceFile.otherComputerFact] != nil })
            if !otherFiles.isEmpty {
                let named = otherFiles.sorted().map { "\(store.citation(of: store.files[$0])) (\(store.files[$0].facts[EvidenceFile.otherComputerFact]!))" }
                let one = named.count == 1
                reasons.append("\(named.count) log\(one ? " was" : "s were") filed here by \(one ? "its" : "their") folder although \(one ? "its" : "their") "
                               + "lines name another computer (" + named.prefix(3).joined(separator: ", ") + (named.count > 3 ? ", …" : "")
                               + "): what \(one ? "it holds" : "they hold") may be another machine's; " + restingText(resting(otherFiles), one))
            }
            var assessed = ServerAssessment(server: name, verdict: verdict, reasons: reasons, findings: mine, marks: myMarks,
                                    coverage: coverage, gaps: gaps, build: builds.of(name)?.lines ?? ["no build found: " + CheckBuildCommand.noBuild],
                                    recommendedUpdate: builds.of(name)?.recommendation, exposure: builds.of(name)?.exposure ?? [],
                                    markFrom: Dictionary(myMarks.compactMap { m in markedEvents[m].flatMap { Self.clientIPs(of: [$0], in: store).first }.map { (m, $0) } },
                                                         uniquingKeysWith: { a, _ in a }),
                                    markFinding: Self.currentFindings(of: myMarks, events: markedEvents, citations: p),
                                    counts: mineCounts, clearedCounts: clearedCounts[name] ?? [:],
                                    unlisted: (tallies[name] ?? [:]).values.sorted {
                                        (ReportFinding.rank($0.severity), -$0.count, $0.rule) < (ReportFinding.rank($1.severity), -$1.count, $1.rule)
                                    })
            if let story = assessed.storyLine(time: session.displayTime) { assessed.reasons.append(story) }
            for f in mine where f.facts.rule.hasPrefix("chain.") && f.cleared == nil {
                guard let build = builds.fixedBuild(name, at: f.facts.time, cves: f.facts.cves) else { continue }
                assessed.reasons.append("\(f.id) \(f.facts.rule) starts at \(session.displayTime(f.facts.time)), when the logs show build \(build), "
                                        + "which is not open to \(f.facts.cves.joined(separator: ", ")): the build evidence or the finding is wrong; "
                                        + "check both ('check-build --history', 'show \(f.id)')")
            }
            return assessed
        }

        var iocHits: [AnalystIOCHit] = []
        for ioc in (try state.file?.iocs()) ?? [] {
            var filter = TimelineFilter()
            filter.contains = [ioc.value]
            let events = try TimelineQuery(filter, session: session, command: "report").events()
            let timed = events.map { store.time[$0] }.filter { $0 != Timestamp.unknown }
            iocHits.append(AnalystIOCHit(ioc: ioc, count: events.count, servers: Array(Set(events.map { store.server(of: $0) })).sorted(),
                                  first: timed.min() ?? Timestamp.unknown, last: timed.max() ?? Timestamp.unknown,
                                  sample: Array(events.prefix(5))))
        }

        var published: [PublishedIOCHit] = []
        if let indicators = try? session.indicatorLibrary.select(sets: [], types: []), !indicators.isEmpty {
            let matcher = IOCMatcher(indicators: indicators)
            let hits = matcher.match(store, filter: IOCFilter())
            let statuses = GrepIOCCommand.statuses(hits, store)
            published = IOCSummary.summarize(hits, store: store).map { s in
                let i = matcher.indicators[s.indicator]
                return PublishedIOCHit(value: i.value, type: i.type.rawValue, set: i.set, hits: s.events, first: s.first, last: s.last,
                                       servers: s.servers, statuses: statuses[s.indicator].map(GrepIOCCommand.statusText) ?? "")
            }.sorted { ($0.first, $0.value) < ($1.first, $1.value) }
        }

        // Events per day of the logs: a file listing's or collected file's times are when files were made, years
        // before the logs (install dates), not activity of the period; they stretched the chart's axis over two
        // years of a small set (reviewer).
        var perDay: [Int64: Int] = [:]
        let snapshots: Set<SourceKind> = [.fileListing, .fileHash, .webFile]
        for fi in store.files.indices where !snapshots.contains(store.files[fi].kind) {
            for e in store.events(ofFile: fi) {
                let t = store.time[e]
                if t != Timestamp.unknown { perDay[t - ((t % 86_400_000) + 86_400_000) % 86_400_000, default: 0] += 1 }
            }
        }

        return ReportModel(
            generated: CaseState.now, user: CaseState.user, casePath: state.file?.path, zone: session.settings.timezoneName,
            evidenceSets: session.evidenceSetNames, servers: servers, marks: marks,
            markedEvents: markedEvents, setAside: setAside, notes: (try state.file?.notes()) ?? [], iocHits: iocHits, publishedHits: published,
            loadedRules: session.ruleLibrary.rules.filter { rulesFound.contains($0.findingRule) },
            remediation: try RemediationCatalog.load().applicable(servers, store: store),
            files: store.files.map { ReportFile(server: $0.server, path: store.citation(of: $0), size: $0.size, sha256: $0.sha256) },
            auditCount: (try state.file?.counts().first { $0.table == "audit" }?.rows) ?? 0, provenance: Provenance.of(session),
            daily: perDay.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The distinct client addresses of `events` other than the server's own, in order: a back-end (W3SVC2) request
    /// comes from the server's own front end, and its address names no client. Read by interned value, each once,
    /// over the first `addressScanLimit` events (a Sigma finding can cite millions).
    static func clientIPs(of events: [EventID], in store: EventStore) -> [String] {
        var seen = Set<UInt32>()
        var out: [String] = []
        for e in events.prefix(addressScanLimit) where seen.insert(store.valueID(.clientIP, e)).inserted {
            let ip = store.value(.clientIP, e)
            if !ip.isEmpty && ip != store.field("s-ip", of: e) { out.append(ip) }
        }
        return out
    }

    static let addressScanLimit = 100_000

    /// This session's finding for each group of marks made through one finding (`mark finding F5`), by the number
    /// stored with them: that is the marking session's, and on reloaded or new evidence names another finding
    /// (reviewer: "F5 marked malicious" beside an F5 of another rule). The finding citing every marked event of
    /// the group with the fewest events (the SSRF finding, not the chain that also cites them); none when no
    /// finding cites them all.
    static func currentFindings(of marks: [CaseMark], events: [CaseMark: EventID], citations p: FindingCitations) -> [String: String] {
        var out: [String: String] = [:]
        for (stored, group) in Dictionary(grouping: marks.filter { $0.finding != nil }, by: { $0.finding! }) {
            let marked = group.compactMap { events[$0] }
            guard let first = marked.first else { continue }
            let citing = p.findings(citing: first).filter { id in
                let cited = Set(p.events(ofFinding: id) ?? [])
                return marked.allSatisfy(cited.contains)
            }
            out[stored] = citing.min { (p.events(ofFinding: $0)?.count ?? 0, $0.count, $0) < (p.events(ofFinding: $1)?.count ?? 0, $1.count, $1) }
        }
        return out
    }

    /// Findings the analyst cleared, by id: every event the finding cites is marked benign or reviewed (a
    /// pentest's pages, an admin's own reset). Only findings citing such an event are looked at.
    static func clearedFindings(_ p: FindingCitations, marks: [EventID: CaseMark]) -> [String: String] {
        let benign = marks.filter { $0.value.label == "benign" || $0.value.label == "reviewed" }
        var candidates = Set<String>()
        for e in benign.keys { candidates.formUnion(p.findings(citing: e)) }
        var out: [String: String] = [:]
        for id in candidates {
            guard let events = p.events(ofFinding: id), let first = events.first, events.allSatisfy({ benign[$0] != nil }),
                  let m = benign[first] else { continue }
            out[id] = "marked \(m.label) by \(m.user)" + (m.note.isEmpty ? "" : ": \(m.note)")
        }
        return out
    }

    /// The verdict of a server and why, from the hunt's findings and the analyst's marks (a malicious mark
    /// always counts). Nothing serious found clears a server only when every rule could run on logs reaching
    /// from before the campaign to the patch (`gaps` names what is missing) and its web logs span a day.
    /// `findings`: those listed (the first of each severity); `counts`: all of them per severity (nil: those listed);
    /// `cleared`: how many of them per severity the analyst cleared, which do not count (the reasons say so).
    static func decide(findings all: [ReportFinding], counts allCounts: [String: Int]? = nil, cleared: [String: Int] = [:], marks: [CaseMark],
                       coverage: [ServerAssessment.Coverage], gaps: [String]) -> (Verdict, [String]) {
        let findings = all.filter { $0.cleared == nil }
        var counts = allCounts ?? Dictionary(grouping: all, by: \.facts.severity).mapValues(\.count)
        for (severity, n) in cleared { counts[severity, default: 0] -= n }
        let clearedCount = cleared.values.reduce(0, +)
        let clearedNote = clearedCount == 0 ? [] : ["\(clearedCount) finding\(clearedCount == 1 ? "" : "s") cleared by the analyst "
            + "(every event marked benign or reviewed), not counted: " + all.filter { $0.cleared != nil }.prefix(3)
            .map { "\($0.id) \($0.facts.rule) (\($0.facts.severity))" }.joined(separator: "; ") + (clearedCount > 3 ? "; …" : "")]
        let (verdict, why) = decideCounted(findings: findings, counts: counts, anyCleared: clearedCount > 0, marks: marks,
                                           coverage: coverage, gaps: gaps)
        return (verdict, why + clearedNote)
    }

    /// Rules whose high findings are a result, not an attempt: a page on disk that a standard install does not have,
    /// where shells were planted (CISA counts any such page). Such a server is compromised until the analyst clears
    /// the finding (marks it benign: the administrators' own page), so the verdict and the step "Remove the web
    /// shells" agree.
    static let resultRules: Set<String> = ["webshell.file"]

    /// Rules whose high findings say a virtual directory's URL was set to a script (CVE-2021-27065): an
    /// administrator's cmdlet carrying the web shell's source ran, which only an attacker who got through can have
    /// done; read in the ECP or cmdlet log, or as Test-ProxyLogon's own check matched it (second-hand, but the
    /// same pattern). Such a server is compromised, not attempted, as for a web shell on disk.
    static let scriptedURLRules: Set<String> = ["proxylogon.ecp-set-vdir", "proxylogon.flagged-ecp-log", "exchange.cmdlet-vdir-script"]

    /// `anyCleared`: some findings were set aside as cleared, so "the hunt found nothing" would not be true.
    private static func decideCounted(findings: [ReportFinding], counts: [String: Int], anyCleared: Bool, marks: [CaseMark],
                                      coverage: [ServerAssessment.Coverage], gaps: [String]) -> (Verdict, [String]) {
        let critical = findings.filter { $0.facts.severity == "critical" }
        let criticalCount = counts["critical"] ?? 0
        let malicious = marks.filter { $0.label == "malicious" }
        let planted = findings.filter { $0.facts.severity == "high" && resultRules.contains($0.facts.rule) }
        let scripted = findings.filter { $0.facts.severity == "high" && scriptedURLRules.contains($0.facts.rule) }
        if criticalCount > 0 || !malicious.isEmpty || !planted.isEmpty || !scripted.isEmpty {
            var why: [String] = []
            if criticalCount > 0 { why.append("\(criticalCount) critical finding\(criticalCount == 1 ? "" : "s"): " + critical.prefix(3).map { "\($0.id) \($0.facts.title)" }.joined(separator: "; ")) }
            if !planted.isEmpty {
                // The advice to mark a page benign is for pages the analyst has not judged: not for one marked malicious
                // through its finding (reviewer: "mark it benign" beside "1 event marked malicious" for the same F3).
                let judged = Set(malicious.compactMap(\.finding))
                let open = planted.filter { !judged.contains($0.id) }.count
                why.append("\(planted.count) likely web shell\(planted.count == 1 ? "" : "s") on disk, where a standard install has no such page: "
                           + planted.prefix(3).map { "\($0.id) \($0.facts.rule)" }.joined(separator: "; ")
                           + (open == 0 ? "" : " (mark \(open == 1 ? "it" : "them") benign if the administrators put \(open == 1 ? "it" : "them") there)"))
            }
            if !scripted.isEmpty {
                why.append("\(scripted.count) virtual-directory URL\(scripted.count == 1 ? "" : "s") set to a script (CVE-2021-27065): "
                           + scripted.prefix(3).map { "\($0.id) \($0.facts.rule)" }.joined(separator: "; "))
            }
            if !malicious.isEmpty { why.append("\(malicious.count) event\(malicious.count == 1 ? "" : "s") marked malicious") }
            return (.compromised, why)
        }
        let serious = (counts["high"] ?? 0) + (counts["medium"] ?? 0)
        let suspicious = marks.filter { $0.label == "suspicious" }
        if serious > 0 || !suspicious.isEmpty {
            var why: [String] = []
            if serious > 0 { why.append("\(serious) finding\(serious == 1 ? "" : "s") of high or medium severity, none critical") }
            if !suspicious.isEmpty { why.append("\(suspicious.count) event\(suspicious.count == 1 ? "" : "s") marked suspicious") }
            return (.attempted, why)
        }
        let minor = findings.map { "\($0.id) \($0.facts.title)" }
        let minorCount = counts.values.reduce(0, +)
        let found = minorCount == 0
            ? (anyCleared ? "no finding is left once those the analyst cleared are set aside" : "the hunt found nothing")
                + " and nothing is marked malicious or suspicious"
            : "only low-severity findings (\(minor.prefix(3).joined(separator: "; "))\(minorCount > 3 ? "; …" : "")); nothing marked malicious or suspicious"
        let web = coverage.filter { ($0.source.hasPrefix("httpproxy") || $0.source.hasPrefix("iis")) && $0.first != Int64.max }
        let span = (web.map(\.last).max() ?? 0) - (web.map(\.first).min() ?? 0)
        var missing = gaps
        if web.isEmpty || span < minimumWebCoverage {
            missing.insert(web.isEmpty ? "no HttpProxy or IIS logs loaded for this server" : "HttpProxy and IIS logs cover less than a day", at: 0)
        }
        if !missing.isEmpty { return (.notEnoughCoverage, [found] + missing) }
        return (.noEvidence, [found])
    }
}

extension CaseMark: Hashable {
    public func hash(into h: inout Hasher) { h.combine(sha256); h.combine(line) }
}

/// An evidence file as the report lists it: its path as the report's citations give it, `SET/PATH` where two
/// loaded sets hold that path with other bytes (two collections of one layout), so each row says which one it is.
struct ReportFile {
    let server: String
    let path: String
    let size: Int
    let sha256: String
}

import ExchangeEvidence

/// Per server, whether each family of rules (the rules sharing an `EvidenceNeed`) could run, and on which
/// period: "no findings" only clears a server whose evidence lets every rule look, from before the campaign
/// began until the server was patched.
public struct RuleCoverage: Sendable {
    /// Why a family's result on a server is not the whole answer.
    public enum Gap: Sendable, Hashable {
        /// None of the kinds the family needs is loaded: its rules could not run.
        case notLoaded
        /// The logs start after the campaign was first seen: its beginning is not in them.
        case startsAfterCampaign(campaign: String, firstSeen: Int64)
        /// The logs end before the server was patched: the rest of the exposure is not in them.
        case endsBeforePatch(patched: Int64)
        /// Only a tool's selection of rows is loaded (Test-ProxyLogon's CSVs): the rules saw what that tool
        /// flagged, not the logs it read, so neither the period nor the absence of other requests is known.
        case onlySelectedRows(by: String)
        /// Files of the kinds the family needs are loaded, but none yielded an event (an `.evtx` cut to its header,
        /// a valid log with no record): its rules could not run, and the files are named so the responder can
        /// collect them again.
        case nothingRead(files: [EventlessFile])
    }

    /// One family on one server.
    public struct Family: Sendable {
        public let server: String
        public let need: EvidenceNeed
        /// Ids of the rules in the family, in registry order.
        public let rules: [String]
        public let files: Int
        /// The kinds of `need` that are loaded on the server.
        public let loaded: Set<SourceKind>
        /// The period the loaded evidence of these kinds covers (`Timestamp.unknown` when none is dated).
        public let first: Int64
        public let last: Int64
        public let gaps: [Gap]

        public var couldRun: Bool { !gaps.contains(.notLoaded) && unread.isEmpty }

        /// The loaded files of the family's kinds when none of them yielded an event (else empty).
        public var unread: [EventlessFile] {
            gaps.lazy.compactMap { if case .nothingRead(let files) = $0 { files } else { nil } }.first ?? []
        }

        /// `event logs not loaded: 10 rules could not run (proxylogon.um-deserialization, …)` or
        /// `HttpProxy logs start 2021-02-25, after ProxyLogon was first seen (2021-01-03): 6 rules ran on part of the period (…)`.
        public var sentence: String { sentence(only: nil) }

        /// The sentence naming only the rules in `only` (those a `hunt --rule` selected).
        public func sentence(only: Set<String>?) -> String { RuleCoverage.sentence([self], only: only, time: Timestamp.short) }

        /// What the gaps say, without the evidence named: `start 2021-02-25, after … and end …`.
        /// `time` formats a moment as `YYYY-MM-DD HH:MM:SS` (UTC by default; the shell passes its time zone).
        func gapText(_ time: (Int64) -> String = Timestamp.short) -> String {
            gaps.map { gap -> String in
                switch gap {
                case .notLoaded: return "not loaded"
                case .startsAfterCampaign(let campaign, let seen):
                    return "start \(time(first).prefix(10)), after \(campaign) was first seen (\(Self.day(seen)))"
                case .endsBeforePatch(let patched):
                    return "end \(time(last).prefix(16)), before the server was patched (\(time(patched).prefix(16)))"
                case .onlySelectedRows(let tool):
                    return "are only the rows \(tool) selected"
                case .nothingRead(let files):
                    // "none could be read" only when every file says why; a valid log with no record holds none.
                    let why = files.allSatisfy { $0.problem != nil } ? "loaded but none could be read" : "loaded but hold no event"
                    let named = files.prefix(3).map(\.description).joined(separator: "; ") + (files.count > 3 ? "; …" : "")
                    return "\(why) (\(files.count) file\(files.count == 1 ? "" : "s"): \(named))"
                }
            }.joined(separator: " and ")
        }

        static func day(_ t: Int64) -> String { String(Timestamp.iso(t).prefix(10)) }
    }

    /// Every family on every server, by server then label.
    public let families: [Family]
    /// The loaded rules that ran but cannot match on a server for want of a field (known once a hunt ran).
    public let fieldGaps: [FieldGap]

    /// - Parameters:
    ///   - campaign: the campaign's name and when it was first seen; logs starting later are partial.
    ///   - patched: per server, when the last window open to the campaign closed (the update time).
    ///   - fieldGaps: what the hunt found about fields (`Hunter.Result.fieldGaps`).
    public init(rules: [any DetectionRule], coverage: [LogCoverage], servers: [String],
                campaign: (name: String, firstSeen: Int64)?, patched: [String: Int64], fieldGaps: [FieldGap] = []) {
        self.fieldGaps = fieldGaps
        var needs: [EvidenceNeed] = []
        var members: [EvidenceNeed: [String]] = [:]
        for (id, need) in rules.flatMap(\.coverageNeeds) {
            if members[need] == nil { needs.append(need) }
            members[need, default: []].append(id)
        }
        var out: [Family] = []
        for server in servers.sorted() {
            for need in needs.sorted(by: { $0.label < $1.label }) {
                let accepted = coverage.filter { $0.server == server && need.accepts(kind: $0.kind, channel: $0.channel) }
                // Only entries with events are coverage. A file that yielded none may be the log the family needs
                // even when it names no channel: no record was read to name one.
                let mine = accepted.filter { $0.events > 0 }
                let eventlessEntries = coverage.filter { c in
                    c.server == server && !c.eventless.isEmpty && need.kinds.contains(c.kind)
                        && (c.channel.isEmpty || need.accepts(kind: c.kind, channel: c.channel))
                }
                let eventless = eventlessEntries.flatMap(\.eventless)
                // A selection's times bound what a tool flagged, not a period: only whole logs date the coverage.
                let whole = mine.filter { $0.selectedBy == nil }
                let dated = whole.filter { $0.first != Timestamp.unknown }
                let first = dated.map(\.first).min() ?? Timestamp.unknown
                let last = dated.map(\.last).max() ?? Timestamp.unknown
                var gaps: [Gap] = []
                if mine.isEmpty && !eventless.isEmpty {
                    gaps.append(.nothingRead(files: eventless))
                } else if mine.isEmpty {
                    gaps.append(.notLoaded)
                } else if whole.isEmpty, let tool = mine.compactMap(\.selectedBy).first {
                    gaps.append(.onlySelectedRows(by: tool))
                } else if need.spansTime && !dated.isEmpty {
                    if let campaign, first > campaign.firstSeen {
                        gaps.append(.startsAfterCampaign(campaign: campaign.name, firstSeen: campaign.firstSeen))
                    }
                    if let p = patched[server], last < p { gaps.append(.endsBeforePatch(patched: p)) }
                }
                let loaded = mine.isEmpty ? eventlessEntries : mine
                out.append(Family(server: server, need: need, rules: members[need]!, files: loaded.reduce(0) { $0 + $1.files },
                                  loaded: Set(loaded.map(\.kind)), first: first, last: last, gaps: gaps))
            }
        }
        families = out
    }

    /// From the store: its log coverage, the catalog's first campaign with a `firstSeen` date, and the update
    /// times the build history shows (as `check-build --history` finds them).
    public static func of(_ store: EventStore, rules: [any DetectionRule] = RuleRegistry.standard,
                          coverage: [LogCoverage]? = nil, fieldGaps: [FieldGap] = []) -> RuleCoverage {
        let servers = Array(Set(store.files.map(\.server)))
        let coverage = coverage ?? LogCoverage.compute(store)
        guard let catalog = try? BuildCatalog.bundled(),
              let campaign = catalog.campaigns.compactMap({ c in catalog.campaignFirstSeen[c.name].map { (c.name, $0.start) } })
                  .min(by: { $0.1 < $1.1 })
        else { return RuleCoverage(rules: rules, coverage: coverage, servers: servers, campaign: nil, patched: [:], fieldGaps: fieldGaps) }
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: store), catalog: catalog)
        var patched: [String: Int64] = [:]
        for server in servers {
            let windows = timeline.windows.filter { ExposureTimeline.serverKey($0.server) == ExposureTimeline.serverKey(server) && $0.campaign == campaign.0 }
            // Patched only when every window of the campaign closed within the evidence.
            let ends = windows.map(\.until)
            if !ends.isEmpty, ends.allSatisfy({ $0 != nil }) { patched[server] = ends.compactMap { $0 }.max() }
        }
        return RuleCoverage(rules: rules, coverage: coverage, servers: servers, campaign: campaign, patched: patched, fieldGaps: fieldGaps)
    }

    public func families(of server: String) -> [Family] { families.filter { $0.server == server } }

    /// One sentence per kind of gap on `server` (families with the same gap share it): what `hunt`, `sources`
    /// and the report print. Rules that could not run come first, rules that cannot match for want of a field last.
    /// `time` formats moments of the evidence (the shell passes its time zone's); the campaign's date stays a date.
    public func sentences(of server: String, rules: Set<String>? = nil, time: (Int64) -> String = Timestamp.short) -> [String] {
        let gapped = Self.mergingByKind(gaps(of: server, rules: rules), all: families(of: server))
        var order: [String] = []
        var groups: [String: [Family]] = [:]
        for f in gapped.sorted(by: { ($0.couldRun ? 1 : 0, $0.need.label.lowercased()) < ($1.couldRun ? 1 : 0, $1.need.label.lowercased()) }) {
            let key = f.gapText(time)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(f)
        }
        return order.map { Self.sentence(groups[$0]!, only: rules, time: time) } + fieldGapSentences(of: server, rules: rules)
    }

    /// The rules on `server` that cannot match for want of a field, optionally only those among `rules`.
    public func fieldGaps(of server: String, rules: Set<String>? = nil) -> [FieldGap] {
        fieldGaps.filter { $0.server == server && (rules?.contains($0.rule) ?? true) }
    }

    /// `IIS logs never hold a value for cs-cookie: 2 rules cannot match (sigma:…, sigma:…)`, `no Security event
    /// 4688 is loaded: …`, `IIS logs never hold a value for cs-uri-quey: sigma:…'s filter excludes nothing, so it
    /// fires without it`: one per reason, the rules sharing it named together.
    public func fieldGapSentences(of server: String, rules: Set<String>?) -> [String] {
        var order: [String] = []
        var groups: [String: [String]] = [:]
        for g in fieldGaps(of: server, rules: rules) {
            let key = (g.filterExcludesNothing ? "1" : "0") + g.reason
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(g.rule)
        }
        return order.map { key in
            let named = groups[key]!, one = rules != nil && named.count == 1
            let subject: String
            if key.hasPrefix("1") {
                subject = one ? "\(named[0])'s filter excludes nothing, so it fires without it"
                    : "the filters of \(named.count) rule\(named.count == 1 ? "" : "s") exclude nothing, so they fire without them (\(Self.some(named)))"
            } else {
                subject = one ? "\(named[0]) cannot match" : "\(named.count) rule\(named.count == 1 ? "" : "s") cannot match (\(Self.some(named)))"
            }
            return "\(key.dropFirst()): \(subject)"
        }
    }

    /// The first `shown` names joined, `…` for the rest.
    static func some(_ names: [String], shown: Int = 3) -> String {
        names.count <= shown ? names.joined(separator: ", ") : names.prefix(shown).joined(separator: ", ") + ", …"
    }

    /// The sentence for families sharing one gap: their evidence, the gap, and the rules it concerns. A family
    /// whose kinds the others already name (`IIS or HttpProxy logs` beside both) is not named twice.
    static func sentence(_ families: [Family], only: Set<String>?, time: (Int64) -> String) -> String {
        let named = families.flatMap { f in only.map { o in f.rules.filter(o.contains) } ?? f.rules }
        let what = !families[0].couldRun ? "could not run"
            : families[0].gaps.contains { if case .onlySelectedRows = $0 { true } else { false } } ? "ran on that selection only"
            : "ran on part of the period"
        let subject: String
        if only != nil && named.count == 1 {
            subject = "\(named[0]) \(what)"
        } else {
            subject = "\(named.count) rule\(named.count == 1 ? "" : "s") \(what) (\(some(named)))"
        }
        // Files that yielded no event are named by their kinds: their channel is unknown when no record was read.
        if !families[0].unread.isEmpty {
            let kinds = Set(families.flatMap(\.loaded)).sorted { $0.rawValue < $1.rawValue }
            return "\(EvidenceNeed.reading(kinds).label) \(families[0].gapText(time)): \(subject)"
        }
        // `event logs not loaded` already says a Sigma rule's `Microsoft-Windows-Sysmon/Operational event logs` are not;
        // `HttpProxy logs start …` already says it of `IIS or HttpProxy logs` when HttpProxy's are the ones loaded.
        // A wider family part of which a narrower one names is named by the rest only (reviewer: "HttpProxy logs
        // and IIS or HttpProxy logs start …" for "HttpProxy logs and IIS logs start …").
        var labels: [String] = []
        for f in families {
            let narrower = Set(families.filter { $0.need.kinds.count < f.need.kinds.count }.flatMap(\.need.kinds))
            let wider = families.contains { $0.need.channels.isEmpty && Set(f.need.kinds).isSubset(of: Set($0.need.kinds)) }
            let meant = f.couldRun ? f.loaded : Set(f.need.kinds)
            guard !meant.isSubset(of: narrower) && (f.need.channels.isEmpty || !wider) else { continue }
            let rest = meant.subtracting(narrower)
            // Not loaded either: a family others partly name is named by the rest when that has a name of its own
            // ("ECP logs, event logs and Rps Cmdlet logs", not "… and Rps Cmdlet, ECP or event logs"). Loaded, a rest
            // of kinds whose own families name them (the cmdlet rules' ECP log beside their event logs) is left to
            // those: their own sentence gives their period.
            let restKinds = f.need.kinds.filter(rest.contains)
            let label: String
            if rest.count == meant.count {
                label = f.need.label
            } else if let named = EvidenceNeed.named(restKinds) {
                label = named.label
            } else if !f.couldRun {
                label = f.need.label
            } else if restKinds.allSatisfy(EvidenceNeed.namedKinds.contains) {
                continue
            } else {
                label = EvidenceNeed.reading(restKinds).label
            }
            if !labels.contains(label) { labels.append(label) }
        }
        let evidence = labels.count <= 1 ? labels.joined() : labels.dropLast().joined(separator: ", ") + " and " + labels.last!
        if !families[0].couldRun { return "\(evidence) not loaded: \(subject)" }
        return "\(evidence) \(families[0].gapText(time)): \(subject)"
    }

    /// The families whose result on `server` is not the whole answer, optionally only those holding one of `rules`.
    public func gaps(of server: String, rules: Set<String>? = nil) -> [Family] {
        families.filter { f in f.server == server && !f.gaps.isEmpty && (rules == nil || f.rules.contains(where: rules!.contains)) }
    }

    /// Whether `rule` could run on `server` (the evidence it needs is loaded).
    public func couldRun(_ rule: String, on server: String) -> Bool {
        families.first { $0.server == server && $0.rules.contains(rule) }?.couldRun ?? true
    }
}

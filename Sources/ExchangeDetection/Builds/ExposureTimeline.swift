import ExchangeEvidence

/// An interval during which a server ran a build open to one CVE, as far as the evidence shows.
public struct ExposureWindow: Sendable, Hashable {
    public let server: String
    public let cve: String
    public let campaign: String?
    /// The update that closes it (Health Checker name).
    public let fixedBy: String
    /// First event on a vulnerable build.
    public let from: Int64
    /// Last event on a vulnerable build; for a window still open, the server's last event of any kind (an IIS
    /// line names no build, but the server ran the last one seen until a fixed one appears).
    public let lastVulnerable: Int64
    /// First event on a fixed build after the window: the update happened between `lastVulnerable`
    /// and this. Nil when the server was still vulnerable at the end of the evidence.
    public let until: Int64?
    public let vulnerableBuilds: [ExchangeBuild]
    public let fixingBuild: ExchangeBuild?
    /// True when the first build the evidence shows for the server is already vulnerable: the
    /// exposure began before the evidence does.
    public let opensBeforeEvidence: Bool
    /// When the CVE's campaign was first seen exploiting servers (`firstSeen` in the catalog); nil for CVEs
    /// of no campaign or without the date.
    public let campaignFirstSeen: CatalogDate?
    var campaignSince: Int64? { campaignFirstSeen?.start }

    /// True when the campaign was under way at some moment of the window: a server on a March 2021 build was
    /// open to ProxyShell's CVEs, but not exposed to a campaign nobody ran until August.
    public var campaignBegun: Bool { campaignSince.map { $0 <= (until ?? lastVulnerable) } ?? true }

    /// True when the campaign had been seen by `t` (a finding then can be tied to it).
    public func campaignUnderWay(at t: Int64) -> Bool { campaignSince.map { t >= $0 } ?? true }

    /// What an `open` line adds for a campaign not yet seen in the window (`check-build`, the report); empty
    /// for one under way.
    public var beforeCampaign: String {
        campaignBegun ? "" : ", before \(campaign ?? cve) was first seen (\(campaignFirstSeen?.description ?? "?"))"
    }

    /// Whether a moment falls inside the window (before the evidence counts when the window opens before it).
    public func contains(_ t: Int64) -> Bool {
        guard t != Timestamp.unknown else { return false }
        if t < from && !opensBeforeEvidence { return false }
        return until.map { t < $0 } ?? true
    }
}

/// A finding placed on a server's build history.
public struct PlacedFinding: Sendable {
    public let label: String
    public let server: String
    public let time: Int64
    /// The build the server was running at that moment, when the history shows one.
    public let build: ExchangeBuild?
    /// The windows the finding falls in.
    public let windows: [ExposureWindow]
    /// The server's first build observation, when the finding comes before it and no window reaches back over it:
    /// the build at the finding's moment is then unknown (the server may have been updated in between), and
    /// `build` is nil rather than the later one.
    public var beforeFirstBuild: BuildObservation? = nil

    /// One sentence: "SSRF hit 2021-02-28 03:12 while on 15.1.2176.2, vulnerable to CVE-2021-26855 until the update installed by 2021-03-04 21:07".
    public var explanation: String { explanation() }

    /// The sentence with moments formatted by `time` (`YYYY-MM-DD HH:MM…`; UTC by default, the shell passes its
    /// zone's so the findings agree with the history and windows above them).
    public func explanation(time: (Int64) -> String = Timestamp.short) -> String {
        guard self.time != Timestamp.unknown else { return "\(label) on \(server): time unknown, cannot be placed" }
        var s = "\(label) \(time(self.time).prefix(16))"
        if let first = beforeFirstBuild {
            return s + ", before the first build evidence for \(server) (\(first.build) at \(time(first.first).prefix(16))): build unknown"
        }
        s += build.map { " while on \($0)" } ?? " (no build in the logs of \(server))"
        if windows.isEmpty { return s + (build == nil ? "" : ", not inside an exposure window") }
        let byEnd = Dictionary(grouping: windows, by: \.until)
        for (n, end) in byEnd.keys.sorted(by: { ($0 ?? .max) < ($1 ?? .max) }).enumerated() {
            let cves = byEnd[end]!.map(\.cve).sorted().joined(separator: ", ")
            s += n == 0 ? ", vulnerable to " : "; to "
            s += cves
            s += end.map { " until the update installed by \(time($0).prefix(16))" } ?? " (not fixed within the evidence)"
        }
        return s
    }
}

/// Per server, the builds the evidence shows in time order, and the intervals during which they were
/// open to a CVE. Findings from elsewhere (rules, hunts) are placed on it without depending on their type.
public struct ExposureTimeline: Sendable {
    /// Observations per server, ordered by first event.
    public let history: [String: [BuildObservation]]
    public let windows: [ExposureWindow]

    /// - Parameter cves: the CVEs to compute windows for; by default the campaign CVEs
    ///   (ProxyLogon, ProxyShell, ProxyNotShell).
    public init(evidence: BuildEvidence, catalog: BuildCatalog, cves: [String]? = nil) {
        let wanted = cves ?? catalog.campaigns.flatMap(\.cves)
        var history: [String: [BuildObservation]] = [:]
        for o in evidence.observations where o.first != Timestamp.unknown {
            history[o.server, default: []].append(o)
        }
        for k in history.keys { history[k]!.sort { ($0.first, $0.build) < ($1.first, $1.build) } }
        var states: [ExchangeBuild: BuildAssessment] = [:]
        func assessment(_ b: ExchangeBuild) -> BuildAssessment {
            if let a = states[b] { return a }
            let a = catalog.assess(b, source: .logRequests, at: 0)
            states[b] = a
            return a
        }
        // A build whose revision the log does not record (`15,1,2176,0`) is open to a CVE its CU's update fixes
        // when that update came out after the build was first seen: it cannot have been installed yet. Later
        // sightings of the same build are taken as still without it (the log cannot show it arriving).
        func status(_ seg: BuildObservation, _ cve: String) -> BuildAssessment.CVEStatus? {
            let a = assessment(seg.build)
            return a.revisionUnlogged ? catalog.assess(seg.build, source: .logRequests, at: seg.first).status(of: cve) : a.status(of: cve)
        }
        var windows: [ExposureWindow] = []
        for server in history.keys.sorted() {
            let segments = history[server]!
            for cve in wanted {
                let campaign = catalog.campaign(of: cve)
                let firstSeen = campaign.flatMap { catalog.campaignFirstSeen[$0] }
                var open: (from: Int64, last: Int64, builds: [ExchangeBuild], fixedBy: String, first: Bool)?
                for (i, seg) in segments.enumerated() {
                    guard let status = status(seg, cve) else { continue }
                    if status.state == .vulnerable {
                        if var o = open {
                            o.last = max(o.last, seg.last)
                            if !o.builds.contains(seg.build) { o.builds.append(seg.build) }
                            open = o
                        } else {
                            open = (seg.first, seg.last, [seg.build], status.fixedBy, i == 0)
                        }
                    } else if let o = open {
                        windows.append(ExposureWindow(server: server, cve: cve, campaign: campaign,
                                                      fixedBy: o.fixedBy, from: o.from, lastVulnerable: o.last,
                                                      until: seg.first, vulnerableBuilds: o.builds, fixingBuild: seg.build,
                                                      opensBeforeEvidence: o.first, campaignFirstSeen: firstSeen))
                        open = nil
                    }
                }
                if let o = open {
                    // No fix seen: vulnerable as far as the server's evidence reaches, whatever log it is in.
                    let last = max(o.last, evidence.lastEvent(of: server) ?? o.last)
                    windows.append(ExposureWindow(server: server, cve: cve, campaign: campaign,
                                                  fixedBy: o.fixedBy, from: o.from, lastVulnerable: last, until: nil,
                                                  vulnerableBuilds: o.builds, fixingBuild: nil, opensBeforeEvidence: o.first,
                                                  campaignFirstSeen: firstSeen))
                }
            }
        }
        self.history = history
        self.windows = windows
    }

    /// The build a server ran at a moment: the observation spanning it, else the latest one that began
    /// before it, else (before the evidence) the first one.
    public func build(of server: String, at t: Int64) -> ExchangeBuild? {
        guard let segments = segments(of: server), !segments.isEmpty else { return nil }
        if let spanning = segments.last(where: { $0.first <= t && t <= $0.last }) { return spanning.build }
        return (segments.last { $0.first <= t } ?? segments[0]).build
    }

    /// Places findings given as (server, time, label): which build was running and which windows they fall in.
    public func place(_ findings: [(server: String, time: Int64, label: String)]) -> [PlacedFinding] {
        place(findings.map { (server: $0.server, time: $0.time, label: $0.label, cves: [String]()) })
    }

    /// Places findings that name the CVEs they concern: only windows of those CVEs count (an empty list
    /// means every CVE), and only of campaigns already seen at the finding's time, so a 2021 SSRF hit is not
    /// reported inside a ProxyNotShell window, nor a March 2021 web shell "while vulnerable to" ProxyShell.
    public func place(_ findings: [(server: String, time: Int64, label: String, cves: [String])]) -> [PlacedFinding] {
        findings.map { f in
            let key = Self.serverKey(f.server)
            let ws = windows.filter {
                Self.serverKey($0.server) == key && $0.contains(f.time) && (f.cves.isEmpty || f.cves.contains($0.cve))
                    && $0.campaignUnderWay(at: f.time)
            }
            guard f.time != Timestamp.unknown else {
                return PlacedFinding(label: f.label, server: f.server, time: f.time, build: nil, windows: ws)
            }
            // Before the first build seen, only a window opening before the evidence says anything of the build
            // (it or an older one, vulnerable alike); otherwise the server may have run an unpatched build then.
            if ws.isEmpty, let first = segments(of: f.server)?.first, f.time < first.first {
                var p = PlacedFinding(label: f.label, server: f.server, time: f.time, build: nil, windows: [])
                p.beforeFirstBuild = first
                return p
            }
            return PlacedFinding(label: f.label, server: f.server, time: f.time, build: build(of: f.server, at: f.time),
                                 windows: ws)
        }
    }

    private func segments(of server: String) -> [BuildObservation]? {
        history.first { Self.serverKey($0.key) == Self.serverKey(server) }?.value
    }

    /// Windows as `check-build` and the report list them: one group per campaign and interval (a campaign's CVEs
    /// usually share one window), in time order; within a group the campaign's own CVE order is kept
    /// (ProxyShell: 34473, 34523, then 31207).
    public static func campaignGroups(_ windows: [ExposureWindow]) -> [[ExposureWindow]] {
        Dictionary(grouping: windows) { "\($0.campaign ?? $0.cve)\u{0}\($0.from)\u{0}\($0.until ?? -1)" }.values
            .sorted { ($0[0].from, $0[0].cve) < ($1[0].from, $1[0].cve) }
    }

    /// The updates that close a group's windows, each once, in the group's order.
    public static func updates(_ group: [ExposureWindow]) -> [String] {
        group.map(\.fixedBy).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Server names compare case-insensitively and by host name (`EX01` matches `ex01.contoso.local`).
    public static func serverKey(_ s: String) -> String {
        String(s.lowercased().split(separator: ".", maxSplits: 1).first ?? "")
    }
}

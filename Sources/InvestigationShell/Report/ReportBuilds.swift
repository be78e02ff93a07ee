import ExchangeDetection
import ExchangeEvidence

/// The build section of the report, from the same evidence and catalog as `check-build`: the build a
/// server ran, its history in the logs, the windows in which it was open to ProxyLogon and related
/// campaigns, and the update to install.
struct ReportBuilds {
    struct ServerBuild {
        var lines: [String]
        /// What to do today, as check-build's `now` line says it (`install Mar21SU for CU19 (15.1.2176.9)`, or a migration).
        var recommendation: String?
        /// The windows in which the server was open to a campaign, for the chart.
        var exposure: [Exposure] = []
    }

    /// A period in which a server ran a build open to a campaign (as `check-build --history` shows it).
    struct Exposure {
        var campaign: String
        var cves: [String]
        /// First event on a vulnerable build (the window may open earlier when `opensBeforeEvidence`).
        var from: Int64
        var opensBeforeEvidence: Bool
        /// First event on the fixed build; nil when still open at the last event.
        var until: Int64?
    }

    let byServer: [String: ServerBuild]
    private let timeline: ExposureTimeline?

    init(store: EventStore, time: (Int64) -> String) {
        guard let catalog = try? BuildCatalog.bundled() else { byServer = [:]; timeline = nil; return }
        let evidence = BuildEvidence.collect(from: store)
        let timeline = ExposureTimeline(evidence: evidence, catalog: catalog)
        self.timeline = timeline
        var out: [String: ServerBuild] = [:]
        for server in evidence.servers {
            let observed = evidence.observations.filter { $0.server == server }
            let reported = evidence.reported.filter { $0.server == server }
            guard let current = CheckBuildCommand.currentBuild(observed: observed, reported: reported) else { continue }
            // The server's last event in any log, as check-build judges what the server was open to.
            let when = evidence.lastEvent(of: server) ?? observed.map(\.last).max() ?? CheckBuildCommand.now()
            let a = catalog.assess(current.build, source: current.source, at: when)
            var lines = ["runs \(a.build) (\(a.friendlyName)), " + (current.file.map { "from \(current.source.label) in \($0)" } ?? "from the \(current.source.label)")]
            if observed.count > 1 || (observed.first.map { $0.build != current.build } ?? false) {
                lines.append("builds in the logs: " + observed.map { "\($0.build) (\(time($0.first)) – \(time($0.last)))" }.joined(separator: " → "))
            }
            let campaigns = a.cves.filter { $0.campaign != nil }
            let open = campaigns.filter { $0.state == .vulnerable }.map(\.cve)
            if !open.isEmpty { lines.append("vulnerable at the last event to " + open.joined(separator: ", ")) }
            let windows = timeline.windows.filter { $0.server == server && $0.campaign != nil }
            let groups = ExposureTimeline.campaignGroups(windows)
            for w in groups {
                let first = w[0]
                let start = first.opensBeforeEvidence ? "before the first build evidence (\(time(first.from)))" : time(first.from)
                let end = first.until.map { "until the update installed by \(time($0))" } ?? "still open at the last event (\(time(first.lastVulnerable)))"
                let fixes = ExposureTimeline.updates(w)
                let label = first.campaignBegun ? "exposed to" : "open to"
                lines.append("\(label) \(first.campaign ?? first.cve) (\(w.map(\.cve).joined(separator: ", "))) from \(start) \(end)\(first.beforeCampaign); fixed by \(fixes.joined(separator: ", "))")
            }
            // Only campaigns already under way while the server was open: a 2021 log is not "exposed to ProxyNotShell" in any useful sense.
            let begun = groups.filter { $0[0].campaignBegun }
            let exposure = begun.map { w in
                Exposure(campaign: w[0].campaign ?? w[0].cve, cves: w.map(\.cve), from: w[0].from,
                         opensBeforeEvidence: w[0].opensBeforeEvidence, until: w[0].until)
            }.sorted { ($0.from, $0.campaign) < ($1.from, $1.campaign) }
            // What to install is judged on the day of the report, not at the last event: an update published since
            // (Nov22SU for ProxyNotShell after a log of September 2022) may be the one that fixes what was found.
            // The same sentence as check-build's `now` line.
            let today = CheckBuildCommand.now()
            let recommendation = catalog.assess(current.build, source: current.source, at: today).advice
            if let recommendation { lines.append("now: \(recommendation), as of \(Timestamp.short(today).prefix(10))") }
            out[ExposureTimeline.serverKey(server)] = ServerBuild(lines: lines, recommendation: recommendation, exposure: exposure)
        }
        byServer = out
    }

    func of(_ server: String) -> ServerBuild? { byServer[ExposureTimeline.serverKey(server)] }

    /// The build the logs show `server` running at `time` when it is open to none of `cves`: a finding of an exploit
    /// then contradicts the build evidence (reviewer: a chain on a patched build was "compromised" without a word).
    func fixedBuild(_ server: String, at time: Int64, cves: [String]) -> ExchangeBuild? {
        guard let timeline, time != Timestamp.unknown, !cves.isEmpty else { return nil }
        let placed = timeline.place([(server: server, time: time, label: "", cves: cves)])[0]
        return placed.windows.isEmpty ? placed.build : nil
    }
}

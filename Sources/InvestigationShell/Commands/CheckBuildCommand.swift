import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `check-build [BUILD]`: which Exchange build a server ran, which CVEs it was open to, and — from the
/// build history in the logs — from when to when, with the findings that fall inside those windows.
struct CheckBuildCommand: Command {
    var name: String { "check-build" }
    var summary: String { "Exchange build per server: product, CU, update, CVEs open or fixed, exposure windows" }
    var usage: String { "check-build [BUILD] [--history] [--at DATE] [--server NAME] [--all-cves]" }
    var options: [OptionSpec] {
        [.flag("history", "list every build seen per server with its first and last event"),
         .value("at", "DATE", "judge support and the next update at this date (YYYY-MM-DD or ISO time)"),
         .value("server", "NAME", "only this server"),
         .flag("all-cves", "list every CVE of the catalog, not only ProxyLogon, ProxyShell and ProxyNotShell")]
    }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let catalog: BuildCatalog
        do { catalog = try BuildCatalog.bundled() } catch { throw ShellError("check-build: \(error)") }
        var at: Int64?
        if let text = args.value("at") {
            guard let t = Self.parseDate(text) else {
                throw ShellError("check-build: '\(TerminalText.escape(text))' is not a date: expected YYYY-MM-DD or 2021-03-04T21:07:00Z")
            }
            at = t
        }
        if !args.positional.isEmpty {
            // A typed build is judged on its own: `--server` would be silently ignored (reviewer).
            if let server = args.value("server") {
                throw ShellError("check-build: a build given is judged on its own, for no server; 'check-build --server \(TerminalText.escape(server))' "
                                 + "judges the build its evidence shows, and --at DATE judges a given build at a moment")
            }
            let text = args.positional.joined(separator: " ")
            let reading: BuildReading
            do { reading = try BuildParser.parse(text) } catch {
                guard let named = catalog.build(forDisplayName: text) else {
                    // `check-build EX01` means a server, not a build (instructor review).
                    if (try? ServerOption.resolve([text], in: ctx.session.store, command: "check-build"))?.isEmpty == false {
                        throw ShellError("check-build: '\(TerminalText.escape(text))' is a loaded server, not a build: 'check-build --server \(TerminalText.escape(text))'")
                    }
                    throw ShellError("check-build: \(TerminalText.escape(error.message))")
                }
                reading = named
            }
            // Typed, whatever its form: no evidence shows it running, so it may be judged at a date before it came out.
            let a = catalog.assess(reading.build, source: reading.source, at: at ?? Self.now(), typed: true)
            // A typed build the catalog does not know is an error, so a mistyped build never reads as patched
            // and a script sees the failure.
            if a.notInCatalog, let product = a.product {
                throw ShellError("check-build: \(reading.build) is not a build of \(product.name) the catalog knows "
                                 + "(its CUs: \(product.levels.first!.name) \(product.levels.first!.build) to \(product.levels.last!.name) "
                                 + "\(product.levels.last!.build)); no CVE is judged from it")
            }
            if a.product == nil {
                throw ShellError("check-build: \(reading.build) is no Exchange version the catalog knows (Exchange 2010 to Subscription Edition)")
            }
            if ctx.wantsJSON { ctx.json(Self.json(a, server: nil, sourceFile: nil)) } else {
                printAssessment(a, server: nil, sourceNote: "given as \(reading.source.label)", allCVEs: args.flag("all-cves"), ctx)
            }
            return
        }
        try evidenceReport(args, at: at, catalog: catalog, ctx)
    }

    // MARK: - From the evidence

    /// For a finding on a server whose logs name no build, what saved output (ExSetup, Get-ExchangeServer) shows: the
    /// build when it was collected. Builds only move forward, so one open to the finding's CVEs then was open at the
    /// finding too (reviewer: "no build seen" beside the ExSetup build the header named). Empty otherwise.
    static func reportedNote(_ p: PlacedFinding, _ cves: [String], _ observed: [BuildObservation], _ reported: [ReportedBuild],
                             _ catalog: BuildCatalog) -> String {
        guard p.build == nil, p.beforeFirstBuild == nil, observed.isEmpty, p.time != Timestamp.unknown,
              let r = reported.max(by: { $0.reading.build < $1.reading.build }) else { return "" }
        let a = catalog.assess(r.reading.build, source: r.reading.source, at: p.time)
        let open = cves.filter { a.status(of: $0)?.state == .vulnerable }
        return "; \(r.reading.source.label) in \(r.path) shows \(r.reading.build) when collected"
            + (open.isEmpty ? ", which is not open to its CVEs: the build at that moment is unknown"
                : ", open to \(open.joined(separator: ", ")): so was every build before it")
    }

    private func evidenceReport(_ args: Arguments, at: Int64?, catalog: BuildCatalog, _ ctx: CommandContext) throws {
        let evidence = BuildEvidence.collect(from: ctx.session.store)
        let timeline = ExposureTimeline(evidence: evidence, catalog: catalog)
        let wanted = try args.value("server").map { try ServerOption.resolve([$0], in: ctx.session.store, command: "check-build") }
        let servers = evidence.servers.filter { wanted?.contains($0) ?? true }
        // The hunt's findings (cached per load), high and above, and medium ones that concern a CVE (an attempt at
        // an exploit): probes and vendor archives would only clutter, and a scanner's refused request for a shell's
        // page is no exploitation inside the window (reviewer). In time order and named as `hunt` numbers them, so
        // the lines read as the story and lead to `show F…`.
        let hunt = HuntFindings.of(ctx.session)
        let all = hunt.result(for: ctx.session.store).findings
        // A finding resting only on logs whose lines name another computer is that machine's, not placed on this
        // server's builds (reviewer: a file server's 2021-10 LSASS dump read "while on 15.2.792.10, vulnerable to …").
        let store = ctx.session.store
        let chosen = hunt.timeOrder(for: store).enumerated()
            .filter { let f = all[$0.element]; return (f.severity >= .high || (f.severity == .medium && !f.cves.isEmpty)) && (wanted?.contains(f.server) ?? true)
                && !store.restOnOtherComputers(f.events) }
        let placed = zip(chosen, timeline.place(chosen.map { (server: all[$0.element].server, time: all[$0.element].time,
                                                                  label: all[$0.element].rule, cves: all[$0.element].cves) }))
            .map { (id: HuntCitations.id($0.offset), finding: $1, cves: all[$0.element].cves) }
        // A loaded server whose evidence names no build is said, not left out (review of stop 34).
        let silent = Set(ctx.session.store.files.map(\.server)).filter { s in
            (wanted?.contains(s) ?? true) && !servers.contains { ExposureTimeline.serverKey($0) == ExposureTimeline.serverKey(s) }
        }.sorted()
        func sayNoBuild() {
            if ctx.wantsJSON { return }
            for s in silent { ctx.line("\(TerminalText.escape(s))  no build found: \(Self.noBuild)") }
        }
        let noBuildDocs = silent.map { s in JSONValue.object([("server", .string(s)), ("build", .null), ("note", .string(Self.noBuild))]) }
        if servers.isEmpty {
            if ctx.wantsJSON { ctx.json(.array(noBuildDocs)); return }
            if args.value("server") != nil, !silent.isEmpty {
                sayNoBuild()
                if !evidence.servers.isEmpty { ctx.line("builds were found for " + TerminalText.escape(evidence.servers.joined(separator: ", "))) }
                return
            }
            ctx.line(ctx.session.store.count == 0
                ? "nothing loaded; give a build (check-build 15.1.2176.2) or 'load PATH' first"
                : "no build found in the loaded evidence: " + Self.noBuild)
            return
        }
        var docs: [JSONValue] = []
        if !ctx.wantsJSON, let zone = ctx.session.zoneHeader { ctx.line(zone) }
        for server in servers {
            let observed = evidence.observations.filter { $0.server == server }
            let reported = evidence.reported.filter { $0.server == server }
            guard let newest = Self.currentBuild(observed: observed, reported: reported) else { continue }
            // `--at` a date the logs show an older build on judges that build, not one installed later (review of stop 34).
            let current = at.flatMap { Self.build(at: $0, observed: observed, newest: newest) } ?? newest
            var when = at ?? evidence.lastEvent(of: server) ?? Self.now()
            var a = catalog.assess(current.build, source: current.source, at: when)
            // An undated report (ExSetup output) of a build released after the last event was collected later: it is
            // judged at its release, not at a date it did not exist yet (reviewer: May21SU "as of 2021-03-05").
            if at == nil, let released = a.released?.start, released > when {
                when = released
                a = catalog.assess(current.build, source: current.source, at: when)
            }
            // Judged at the last event, `next` tells the story; what to do now is judged today, as the report does.
            let now = at == nil ? catalog.assess(current.build, source: current.source, at: Self.now()) : nil
            let windows = timeline.windows.filter { $0.server == server }
            let mine = placed.filter { ExposureTimeline.serverKey($0.finding.server) == ExposureTimeline.serverKey(server) }
            if ctx.wantsJSON {
                guard case .object(var pairs) = Self.json(a, server: server, sourceFile: current.file)
                else { continue }
                pairs.append(("history", .array(observed.map { o in
                    .object([("build", .string(o.build.description)), ("name", .string(catalog.assess(o.build, at: when).friendlyName)),
                             ("first", .time(o.first)), ("last", .time(o.last)), ("events", .int(o.events)),
                             ("sources", .strings(o.sources.map(\.rawValue).sorted()))])
                })))
                pairs.append(("reported", .array(reported.map { r in
                    .object([("build", .string(r.reading.build.description)), ("source", .string(r.reading.source.rawValue)),
                             ("file", .string(r.path))])
                })))
                if let now { pairs.append(("now", .object([("at", .time(now.at)), ("advice", .optional(now.advice)),
                                                            ("migrate_to", .optional(now.migrateTo))]))) }
                pairs.append(("windows", .array(windows.map(Self.json))))
                pairs.append(("findings", .array(mine.map { Self.json($0.finding, id: $0.id) })))
                docs.append(.object(pairs))
                continue
            }
            let note = current.file.map { "from \(current.source.label) in \($0)" } ?? "from the \(current.source.label)"
            printAssessment(a, server: server, sourceNote: note, allCVEs: args.flag("all-cves"), ctx)
            if let now, let advice = now.advice { ctx.line("now       \(advice), as of \(Timestamp.iso(now.at).prefix(10))") }
            if current.build != newest.build {
                ctx.line("note      the build the logs show on \(Timestamp.iso(when).prefix(10)); the server ran \(newest.build) later")
            } else if let latest = observed.max(by: { $0.last < $1.last }), latest.build != current.build {
                ctx.line("note      the logs last show \(latest.build) (\(ctx.session.displayTime(latest.last)))")
            }
            printHistory(observed, full: args.flag("history"), catalog: catalog, ctx)
            printWindows(windows, ctx)
            for (id, p, cves) in mine {
                ctx.line("finding   \(id) " + TerminalText.escape(p.explanation(time: ctx.session.displayTime) + Self.reportedNote(p, cves, observed, reported, catalog)))
            }
            ctx.line()
        }
        sayNoBuild()
        if ctx.wantsJSON { ctx.json(.array(docs + noBuildDocs)) }
    }

    static let noBuild = "no HttpProxy version columns, #Version headers, OWA/ECP resource paths or saved ExSetup/Get-ExchangeServer output"

    /// The build the logs show the server running at `at`: the newest seen by then, when it is older than `newest`.
    /// Nil when the logs show nothing by then, or that same build.
    static func build(at: Int64, observed: [BuildObservation], newest: (build: ExchangeBuild, source: BuildSource, file: String?))
        -> (build: ExchangeBuild, source: BuildSource, file: String?)? {
        guard let seen = observed.filter({ $0.first <= at }).max(by: { ($0.first, $0.build) < ($1.first, $1.build) }),
              seen.build < newest.build else { return nil }
        return (seen.build, logSource(seen), nil)
    }

    /// The strongest source a build seen in the logs came from.
    static func logSource(_ o: BuildObservation) -> BuildSource {
        [BuildSource.logRequests, .ecpLog, .logHeader, .resourcePath].first { o.sources.contains($0) } ?? .logHeader
    }

    /// The build to judge a server by: saved ExSetup output or an update's DisplayName (they include
    /// security updates), else the last build in the logs, else AdminDisplayVersion (CU only).
    static func currentBuild(observed: [BuildObservation], reported: [ReportedBuild])
        -> (build: ExchangeBuild, source: BuildSource, file: String?)? {
        let full = reported.filter { $0.reading.source != .adminDisplayVersion }.max { $0.reading.build < $1.reading.build }
        if let full { return (full.reading.build, full.reading.source, full.path) }
        if let latest = observed.max(by: { ($0.last, $0.build) < ($1.last, $1.build) }) {
            return (latest.build, logSource(latest), nil)
        }
        return reported.max { $0.reading.build < $1.reading.build }.map { ($0.reading.build, $0.reading.source, $0.path) }
    }

    // MARK: - Text output

    private func printAssessment(_ a: BuildAssessment, server: String?, sourceNote: String, allCVEs: Bool, _ ctx: CommandContext) {
        let head = server.map { TerminalText.escape($0) + "  " } ?? ""
        ctx.line("\(head)\(a.build) (\(a.build.longForm)) \(TerminalText.escape(sourceNote))")
        guard let product = a.product, let level = a.level else {
            ctx.line(a.notInCatalog ? "product   \(a.friendlyName): its build number is none of the catalog's CUs (mistyped, or newer "
                                      + "than the catalog); no CVE is judged from it"
                                    : "product   \(a.friendlyName): not in the catalog (Exchange 2010 to Subscription Edition)")
            return
        }
        ctx.line("product   \(a.friendlyName); \(level.name) released \(level.released)")
        if a.source.isCUOnly {
            ctx.line("          AdminDisplayVersion shows the CU only: installed security updates are not visible in it")
        } else if a.revisionUnlogged {
            // Said as the exposure windows count it (reviewer: "take none as installed" promised a ProxyLogon window
            // the history then did not show, since Mar21SU was out before the build was seen).
            // A typed build is not a log's, and it was not "seen": it is judged at `--at` (reviewer).
            let typed = a.source == .typed
            ctx.line("          revision \(a.build.revision) is below \(level.name)'s own (\(level.build)): "
                     + (typed ? "the number given does not carry it" : "the log does not record it") + ", so "
                     + "installed security updates are not visible; an update published before "
                     + (typed ? "the date judged" : "the build was first seen") + " may be "
                     + "installed (its CVEs are undetermined, and no exposure window is drawn for them), one published later cannot be; "
                     + "ExSetup.exe's FileVersion on the server settles it")
        } else if a.update == nil {
            ctx.line(a.newerThanCatalog ? "          newer than every update the catalog knows for \(level.name)"
                                        : "          no update from the catalog installed on \(level.name)")
        }
        let date = String(Timestamp.iso(a.at).prefix(10))
        // A typed build judged before it came out was neither "unsupported" nor patched then: it did not exist yet,
        // and no server ran it (reviewer). Its CU, else its update, is what had not come out. A CU judged before its
        // release whose build has no exact date (an interim build, or one the logs show) is still said to be
        // not released yet, and judged as before.
        var support = a.notReleasedYet ? Self.notReleased(a, level: level, on: date)
            : a.cuSupported == true ? "\(level.name) supported on \(date)"
            : level.released.start > a.at ? "\(level.name) not released yet on \(date)" : "\(level.name) not supported on \(date)"
        if a.productSupported == false, let end = product.extendedSupportEnds { support += " (\(product.name) extended support ended \(end))" }
        ctx.line("support   " + support)
        if a.notReleasedYet {
            ctx.line("cves      not judged: no server ran \(a.build) on \(date)")
            return
        }
        let shown = allCVEs ? a.cves : a.cves.filter { $0.campaign != nil }
        var table = TextTable(["cve", "campaign", "state", "fixed by", "fixed build", "released"])
        for s in shown {
            table.add([s.cve, s.campaign ?? "", s.state.rawValue, s.fixedBy,
                       s.fixLevel == level.name ? s.fixBuild.description : "\(s.fixBuild) (\(s.fixLevel))", s.fixReleased.description])
        }
        if !shown.isEmpty { ctx.table(table) }
        if a.cves.isEmpty {
            ctx.line("cves      no entry of the catalog's update-to-CVE map applies to \(product.name) (see help check-build)")
        } else if !allCVEs, a.cves.contains(where: { $0.campaign == nil }) {
            let others = a.cves.filter { $0.campaign == nil }
            let open = others.filter { $0.state == .vulnerable }.count
            ctx.line("other CVEs in the catalog: \(open) vulnerable, \(others.filter { $0.state == .fixed }.count) fixed"
                     + (others.contains { $0.state == .undetermined } ? ", \(others.filter { $0.state == .undetermined }.count) undetermined" : "")
                     + " (--all-cves lists them)")
        }
        if let advice = a.advice { ctx.line("next      \(advice), as of \(date)") }
    }

    /// The support line of a typed build that had not come out at `date`: its CU, else its update (only a build
    /// the catalog dates exactly is ever not released yet: an update's or a CU's own).
    static func notReleased(_ a: BuildAssessment, level: BuildCatalog.Level, on date: String) -> String {
        guard let released = a.released, let update = a.update, level.released.start <= a.at else {
            return "\(level.name) not released yet on \(date)"
        }
        return "\(update.name) for \(level.name) not released yet on \(date) (released \(released))"
    }

    private func printHistory(_ observed: [BuildObservation], full: Bool, catalog: BuildCatalog, _ ctx: CommandContext) {
        guard !observed.isEmpty else { ctx.line("history   no build in the logs"); return }
        if !full {
            let steps = observed.map { "\($0.build) (\(ctx.session.displayTime($0.first)) – \(ctx.session.displayTime($0.last)))" }
            ctx.line("history   " + steps.joined(separator: " → "))
            return
        }
        var table = TextTable(["build", "name", "first event", "last event", "events", "from"])
        table.rightAligned = [4]
        for o in observed {
            table.add([o.build.description, catalog.assess(o.build, at: 0).friendlyName, ctx.session.displayTime(o.first),
                       ctx.session.displayTime(o.last), String(o.events), o.sources.map(\.rawValue).sorted().joined(separator: ", ")])
        }
        ctx.table(table)
    }

    private func printWindows(_ windows: [ExposureWindow], _ ctx: CommandContext) {
        // One line per campaign and interval.
        for w in ExposureTimeline.campaignGroups(windows) {
            let first = w[0]
            let start = first.opensBeforeEvidence ? "before the first build evidence \(ctx.session.displayTime(first.from))" : ctx.session.displayTime(first.from)
            let end = first.until.map { "until the update installed by \(ctx.session.displayTime($0)) (last vulnerable event \(ctx.session.displayTime(first.lastVulnerable)))" }
                ?? "still open at the last event \(ctx.session.displayTime(first.lastVulnerable))"
            let fixes = ExposureTimeline.updates(w)
            // Open to a campaign no one ran yet: vulnerable, not exposed.
            let label = first.campaignBegun ? "exposed" : "open   "
            ctx.line("\(label)   \(first.campaign ?? first.cve) (\(w.map(\.cve).joined(separator: ", "))) from \(start) \(end)\(first.beforeCampaign); fixed by \(fixes.joined(separator: ", "))")
        }
    }

    // MARK: - JSON

    static func json(_ a: BuildAssessment, server: String?, sourceFile: String?) -> JSONValue {
        .object([
            ("server", .optional(server)), ("build", .string(a.build.description)), ("product", .optional(a.product?.name)),
            ("cu", .optional(a.level?.name)), ("update", .optional(a.update?.name)),
            ("vulnerable", .strings(a.vulnerable)), ("fixed", .strings(a.fixed)), ("undetermined", .strings(a.undetermined)),
            ("source", .string(a.source.rawValue)), ("source_file", .optional(sourceFile)),
            ("revision_unlogged", .bool(a.revisionUnlogged)), ("in_catalog", .bool(a.product != nil && a.level != nil)),
            ("name", .string(a.friendlyName)), ("cu_released", .optional(a.level?.released.description)),
            ("build_released", .optional(a.released?.description)), ("not_released_yet", .bool(a.notReleasedYet)),
            ("at", .time(a.at)), ("cu_supported", a.cuSupported.map { .bool($0) } ?? .null),
            ("recommended", a.recommended.map { r in
                .object([("cu", .string(r.level)), ("update", .optional(r.update)), ("build", .string(r.build.description)),
                         ("changes_cu", .bool(r.changesCU))]) } ?? .null),
            ("migrate_to", .optional(a.migrateTo)), ("advice", .optional(a.advice)),
            ("cves", .array(a.cves.map { s in
                .object([("cve", .string(s.cve)), ("campaign", .optional(s.campaign)), ("state", .string(s.state.rawValue)),
                         ("fixed_by", .string(s.fixedBy)), ("fixed_build", .string(s.fixBuild.description)),
                         ("fixed_cu", .string(s.fixLevel)), ("released", .string(s.fixReleased.description))])
            })),
        ])
    }

    static func json(_ w: ExposureWindow) -> JSONValue {
        .object([("cve", .string(w.cve)), ("campaign", .optional(w.campaign)), ("fixed_by", .string(w.fixedBy)),
                 ("from", .time(w.from)), ("last_vulnerable", .time(w.lastVulnerable)), ("until", w.until.map { .time($0) } ?? .null),
                 ("vulnerable_builds", .strings(w.vulnerableBuilds.map(\.description))),
                 ("fixing_build", .optional(w.fixingBuild?.description)), ("opens_before_evidence", .bool(w.opensBeforeEvidence)),
                 ("campaign_first_seen", .optional(w.campaignFirstSeen?.description)), ("campaign_begun", .bool(w.campaignBegun))])
    }

    static func json(_ p: PlacedFinding, id: String) -> JSONValue {
        .object([("finding", .string(id)), ("label", .string(p.label)), ("server", .string(p.server)), ("time", .time(p.time)),
                 ("build", .optional(p.build?.description)), ("cves", .strings(p.windows.map(\.cve))),
                 ("before_first_build", p.beforeFirstBuild.map { .time($0.first) } ?? .null),
                 ("explanation", .string(p.explanation))])
    }

    // MARK: - Dates

    static func parseDate(_ text: String) -> Int64? {
        if let t = Timestamp.parse(text) { return t }
        guard let d = CatalogDate(text), d.day != nil else { return nil }
        return d.start
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

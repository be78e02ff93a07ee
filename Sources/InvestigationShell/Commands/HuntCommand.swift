import ExchangeDetection
import ExchangeEvidence

/// `hunt`: runs the detection rules over the loaded evidence and prints the findings per server, newest first,
/// each with the field values that decided it — and, for servers without findings, how far back their logs reach.
struct HuntCommand: Command {
    var name: String { "hunt" }
    var summary: String { "run the detection rules: findings per server with the values that decided them" }
    var usage: String { "hunt [--rule ID] [--server NAME] [--min-severity LEVEL] [--sort time]" }
    var positionalLimit: Int? { 0 }
    var options: [OptionSpec] {
        [OptionSpec(name: "rule", short: nil, kind: .repeated, valueName: "ID",
                    help: "only this rule (repeatable; see 'rules'; a loaded Sigma rule as sigma:ID or its ID)", choices: []),
         .value("server", "NAME", "only this server"),
         .value("min-severity", "LEVEL", "hide findings below LEVEL", choices: Severity.allCases.map(\.name)),
         .value("sort", "ORDER", "'time': one list in time order instead of per server newest first", choices: ["time", "server"])]
    }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let store = ctx.session.store
        let known = ctx.session.knownRuleIDs
        let rules = try args.values("rule").map { id in
            if known.contains(id) { return id }
            if known.contains("sigma:" + id) { return "sigma:" + id }
            throw ShellError("hunt: no rule '\(TerminalText.escape(id))'; 'rules' lists the built-in and loaded ones")
        }
        let server = args.value("server")
        let minimum = args.value("min-severity").flatMap(Severity.init(name:)) ?? .info
        if let server, store.count > 0, !store.files.contains(where: { $0.server == server }) {
            let known = Set(store.files.map(\.server)).sorted().joined(separator: ", ")
            throw ShellError("hunt: no server '\(TerminalText.escape(server))' is loaded (servers: \(TerminalText.escape(known)))")
        }
        let result = HuntFindings.of(ctx.session).result(for: store)
        var findings = result.findings.filter { f in
            (rules.isEmpty || rules.contains(f.rule)) && (server == nil || f.server == server) && f.severity >= minimum
        }
        findings = args.value("sort") == "time" ? Hunter.byTime(findings) : Hunter.byServerNewestFirst(findings)
        // The ids `mark finding`, `timeline` and `report` use: F1, F2, … over all findings in time order.
        var ids: [String: String] = [:]
        for (i, f) in Hunter.byTime(result.findings).enumerated() { ids[Self.key(f)] = "F\(i + 1)" }
        let servers = Set(store.files.map(\.server)).filter { server == nil || $0 == server }.sorted()
        let quiet = servers.filter { s in !findings.contains { $0.server == s } }
        let coverage = result.coverage.filter { server == nil || $0.server == server }
        // A server whose findings were only filtered out is not one without findings: the coverage sentence
        // ("no hits, but logs only reach back to …") is for servers where the rules found nothing at all.
        func quietNote(_ s: String) -> String {
            let mine = result.findings.filter { $0.server == s }
            if mine.isEmpty { return LogCoverage.noHitsNote(server: s, coverage: coverage) }
            let ruleOK = mine.filter { rules.isEmpty || rules.contains($0.rule) }
            var what = "no findings"
            if !rules.isEmpty { what += " of " + rules.joined(separator: ", ") }
            if minimum > .info { what += " at or above \(minimum.name)" }
            let lower = ruleOK.count, others = mine.count - ruleOK.count
            let parts = (minimum > .info && lower > 0 ? ["\(lower) lower"] : [])
                + (others > 0 ? ["\(others) of other rules"] : [])
            return what + " (" + parts.joined(separator: ", ") + ")"
        }

        if ctx.wantsJSON {
            ctx.json(.object([
                ("findings", .array(findings.map { $0.json(id: ids[Self.key($0)] ?? "") })),
                ("coverage", .array(coverage.map { c in
                    .object([("server", .string(c.server)), ("source", .string(c.kind.rawValue)), ("channel", .string(c.channel)),
                             ("first", .time(c.first)), ("last", .time(c.last)), ("files", .int(c.files)), ("events", .int(c.events))])
                })),
                ("servers_without_findings", .array(quiet.map { s in
                    .object([("server", .string(s)), ("note", .string(quietNote(s))),
                             ("filtered_out", .int(result.findings.filter { $0.server == s }.count))])
                })),
                ("rules_run", .int(ctx.session.ruleCount)), ("seconds", .double(result.seconds)),
            ]))
            return
        }
        if store.count == 0 { ctx.line("nothing loaded; try 'load PATH' or 'load demo'"); return }
        if args.value("sort") == "time" {
            for f in findings { show(f, id: ids[Self.key(f)] ?? "", withServer: true, ctx) }
        } else {
            for s in servers where findings.contains(where: { $0.server == s }) {
                let mine = findings.filter { $0.server == s }
                let counts = Severity.allCases.reversed().compactMap { sev -> String? in
                    let n = mine.filter { $0.severity == sev }.count
                    return n == 0 ? nil : "\(n) \(sev.name)"
                }
                ctx.line("\(TerminalText.escape(s)): \(mine.count) finding\(mine.count == 1 ? "" : "s") (\(counts.joined(separator: ", ")))")
                for f in mine { show(f, id: ids[Self.key(f)] ?? "", withServer: false, ctx) }
                ctx.line()
            }
        }
        for s in quiet { ctx.line("\(TerminalText.escape(s)): \(TerminalText.escape(quietNote(s)))") }
        let hidden = result.findings.count - findings.count
        ctx.line("\(findings.count) finding\(findings.count == 1 ? "" : "s")" + (hidden > 0 ? " (\(hidden) filtered out)" : "")
                 + " from \(ctx.session.ruleCount) rules in \(String(format: "%.3f", result.seconds)) s; 'help rules/ID' explains a rule, 'sources' shows coverage")
    }

    static func key(_ f: Finding) -> String { "\(f.rule)\u{0}\(f.server)\u{0}\(f.time)\u{0}\(f.events.first ?? -1)" }

    private func show(_ f: Finding, id: String, withServer: Bool, _ ctx: CommandContext) {
        let where_ = withServer ? "\(f.server)  " : ""
        ctx.line("  \(Style.severity(f.severity.name, width: 8, color: ctx.session.settings.color)) \(id.padding(4)) \(ctx.session.displayTime(f.time))  \(TerminalText.escape(where_ + f.rule))  \(TerminalText.escape(f.title))")
        ctx.line("           \(TerminalText.escape(f.summary))")
        ctx.line("           \(TerminalText.escape(f.file)):\(f.line)  (\(f.events.count) event\(f.events.count == 1 ? "" : "s"))")
    }
}

fileprivate extension String {
    /// Pads with spaces to `width` characters.
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

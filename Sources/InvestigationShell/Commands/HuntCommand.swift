import ExchangeDetection
import ExchangeEvidence

/// `hunt`: runs the detection rules over the loaded evidence and prints the findings per server, most severe
/// first, each with the field values that decided it — and per server which rules could not run, or ran on logs
/// that miss part of the campaign, so that "no findings" is never read as "no attack".
struct HuntCommand: Command {
    var name: String { "hunt" }
    var summary: String { "run the detection rules: findings per server with the values that decided them" }
    var usage: String { "hunt [--rule ID] [--server NAME] [--min-severity LEVEL] [--sort time]" }
    var positionalLimit: Int? { 0 }
    var options: [OptionSpec] {
        [OptionSpec(name: "rule", short: nil, kind: .repeated, valueName: "ID",
                    help: "only this rule (repeatable; see 'rules'; a loaded rule as sigma:ID, yara:RULE or its bare id)", choices: []),
         .value("server", "NAME", "only this server"),
         .value("min-severity", "LEVEL", "hide findings below LEVEL", choices: Severity.allCases.map(\.name)),
         .value("sort", "ORDER", "'time': one list in time order instead of per server, most severe first", choices: ["time", "server"])]
    }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        try ctx.requireEvidence(name)
        let store = ctx.session.store
        let known = ctx.session.knownRuleIDs
        let rules = try args.values("rule").map { id in
            if known.contains(id) { return id }
            // A bare id names a loaded rule of one kind; an id that rules of two kinds share is refused, not guessed.
            let kinds = ctx.session.ruleLibrary.loaders.map(\.kind).filter { known.contains($0 + ":" + id) }
            if kinds.count > 1 {
                throw ShellError("hunt: '\(TerminalText.escape(id))' is the id of loaded rules of several kinds ("
                                 + kinds.map { TerminalText.escape($0 + ":" + id) }.joined(separator: ", ") + "): give it with its kind")
            }
            if let kind = kinds.first { return kind + ":" + id }
            throw ShellError("hunt: no rule '\(TerminalText.escape(id))'\(TerminalText.escape(ctx.session.ruleSuggestion(id))); 'rules' lists the built-in and loaded ones")
        }
        // The loaded servers `--server` names (any case: `ServerOption`); nil: all of them.
        let wanted = try args.value("server").map { try ServerOption.resolve([$0], in: store, command: "hunt") }
        let minimum = args.value("min-severity").flatMap(Severity.init(name:)) ?? .info
        let hunt = HuntFindings.of(ctx.session)
        let result = hunt.result(for: store)
        // Ctrl-C while the rules ran: the result is complete (and kept for the next hunt), but the user asked to
        // stop, so nothing is listed and no pager opens.
        try ctx.checkCancelled()
        let all = result.findings
        // The ids `mark finding`, `timeline` and `report` use: F1, F2, … over all findings in time order.
        let order = hunt.timeOrder(for: store)
        var numbering = [Int](repeating: 0, count: all.count)
        for (n, i) in order.enumerated() { numbering[i] = n + 1 }
        let number = numbering
        @Sendable func id(_ i: Int) -> String { "F\(number[i])" }
        let ruleSet = Set(rules)
        // Per server: all its findings, those of the selected rules, and those listed; counted over integer
        // server indexes (a hunt with a Sigma folder has millions of findings).
        let names = FindingOrder.servers(all)
        var tally = [(all: Int, ruleOK: Int, listed: Int)](repeating: (0, 0, 0), count: names.names.count)
        var shown: [Int] = []
        for i in all.indices {
            let s = Int(names.of[i])
            tally[s].all += 1
            guard rules.isEmpty || ruleSet.contains(all[i].rule) else { continue }
            tally[s].ruleOK += 1
            guard all[i].severity >= minimum, wanted?.contains(names.names[s]) ?? true else { continue }
            tally[s].listed += 1
            shown.append(i)
        }
        let perServer = Dictionary(uniqueKeysWithValues: zip(names.names, tally))
        // Listed as indexes into `all`.
        let listed: [Int]
        if args.value("sort") == "time" {
            var isShown = [Bool](repeating: false, count: all.count)
            for i in shown { isShown[i] = true }
            listed = order.filter { isShown[$0] }
        } else {
            listed = FindingOrder.byServerSeverity(all, among: shown)
        }
        let servers = Set(store.files.map(\.server)).filter { wanted?.contains($0) ?? true }.sorted()
        let quiet = servers.filter { (perServer[$0]?.listed ?? 0) == 0 }
        let coverage = result.coverage.filter { wanted?.contains($0.server) ?? true }
        let selected: Set<String>? = rules.isEmpty ? nil : Set(rules)
        let ruleCoverage = HuntFindings.of(ctx.session).ruleCoverage(for: store)
        // Said for every server, with or without findings: a low finding does not make the logs reach further.
        let gaps = servers.flatMap { ruleCoverage.gaps(of: $0, rules: selected) }
        let fieldGaps = servers.flatMap { ruleCoverage.fieldGaps(of: $0, rules: selected) }
        func quietNote(_ s: String) -> String {
            let mine = perServer[s] ?? (0, 0, 0)
            if mine.all == 0 { return "no findings" + (selected.map { " of " + $0.sorted().joined(separator: ", ") } ?? "") }
            var what = "no findings"
            if !rules.isEmpty { what += " of " + rules.joined(separator: ", ") }
            if minimum > .info { what += " at or above \(minimum.name)" }
            let lower = mine.ruleOK, others = mine.all - mine.ruleOK
            let parts = (minimum > .info && lower > 0 ? ["\(lower) lower"] : [])
                + (others > 0 ? ["\(others) finding\(others == 1 ? "" : "s") of other rules"] : [])
            return what + " (" + parts.joined(separator: ", ") + ")"
        }
        /// The families of rules that could not run on `s` or ran on logs missing part of the campaign, and the rules that cannot match there.
        func notCovered(_ s: String) {
            for line in ruleCoverage.sentences(of: s, rules: selected, time: ctx.session.displayTime) { ctx.line("  not covered: " + TerminalText.escape(line)) }
        }

        if ctx.wantsJSON {
            ctx.json(.object([
                ("findings", .items(JSONItems(count: listed.count) { k in all[listed[k]].json(id: id(listed[k])) })),
                ("coverage", .array(coverage.map { c in
                    .object([("server", .string(c.server)), ("source", .string(c.kind.rawValue)), ("channel", .string(c.channel)),
                             ("first", .time(c.first)), ("last", .time(c.last)), ("files", .int(c.files)), ("events", .int(c.events))])
                })),
                ("coverage_gaps", .array(gaps.map { $0.json(only: selected) } + fieldGaps.map { g in
                    g.json(message: ruleCoverage.fieldGapSentences(of: g.server, rules: [g.rule]).joined())
                })),
                ("servers_without_findings", .array(quiet.map { s in
                    .object([("server", .string(s)), ("note", .string(quietNote(s))),
                             ("filtered_out", .int(perServer[s]?.all ?? 0))])
                })),
                ("rules_run", .int(ctx.session.ruleCount)), ("findings_total", .int(all.count)), ("seconds", .double(result.seconds)),
                ("provenance", Provenance.of(ctx.session).json),
            ]))
            return
        }
        if let zone = ctx.session.zoneHeader { ctx.line(zone) }
        // Findings are rendered on all cores in blocks (a summary reads its event's line) and written a block
        // at a time; Ctrl-C stops the listing between blocks.
        let lines = FindingLines(settings: ctx.session.settings, width: ctx.session.terminalWidth())
        func list(_ indexes: [Int], withServer: Bool) throws {
            try OrderedBlocks.run(count: indexes.count, make: { range in
                range.map { k in lines.text(all[indexes[k]], id: id(indexes[k]), withServer: withServer) }.joined()
            }, consume: { text in
                ctx.write(text)
                try ctx.checkCancelled()
            })
        }
        if args.value("sort") == "time" {
            try list(listed, withServer: true)
        } else {
            // `listed` is grouped per server, in server order.
            var runs: [String: ArraySlice<Int>] = [:]
            var from = 0
            for k in listed.indices where k + 1 == listed.count || all[listed[k + 1]].server != all[listed[k]].server {
                runs[all[listed[k]].server] = listed[from...k]
                from = k + 1
            }
            for s in servers {
                guard let mine = runs[s] else { continue }
                let counts = Severity.allCases.reversed().compactMap { sev -> String? in
                    let n = mine.filter { all[$0].severity == sev }.count
                    return n == 0 ? nil : "\(n) \(sev.name)"
                }
                ctx.line("\(TerminalText.escape(s)): \(mine.count) finding\(mine.count == 1 ? "" : "s") (\(counts.joined(separator: ", ")))")
                try list(Array(mine), withServer: false)
                notCovered(s)
                ctx.line()
            }
        }
        for s in quiet {
            ctx.line("\(TerminalText.escape(s)): \(TerminalText.escape(quietNote(s)))")
            notCovered(s)
        }
        if args.value("sort") == "time" {
            for s in servers where !quiet.contains(s)
                && (gaps.contains(where: { $0.server == s }) || fieldGaps.contains(where: { $0.server == s })) {
                ctx.line("\(TerminalText.escape(s)):")
                notCovered(s)
            }
        }
        // Filtered out: what --rule/--min-severity hid on the servers shown, not the other servers' findings.
        let hidden = (wanted.map { $0.reduce(0) { $0 + (perServer[$1]?.all ?? 0) } } ?? all.count) - listed.count
        // A status line, as grep-ioc's and load's are: on stderr in a pipe, so stdout holds the findings alone (reviewer).
        ctx.status("\(listed.count) finding\(listed.count == 1 ? "" : "s")" + (hidden > 0 ? " (\(hidden) filtered out)" : "")
                 + " from \(ctx.session.ruleCount) rules in \(String(format: "%.3f", result.seconds)) s; 'help rules/ID' explains a rule, 'sources' shows coverage")
    }
}

/// How `hunt` prints one finding: severity, id, time, rule and title; the summary, wrapped; the file and line
/// of its first event. A value (settings and width, not the session), so findings are rendered on all cores.
private struct FindingLines: Sendable {
    let settings: Settings
    let width: Int?

    func text(_ f: Finding, id: String, withServer: Bool) -> String {
        let where_ = withServer ? "\(f.server)  " : ""
        var text = "  \(Style.severity(f.severity.name, width: 8, color: settings.color)) \(id.padding(4)) \(settings.displayTime(f.time))  "
            + "\(TerminalText.escape(where_ + f.rule))  \(TerminalText.escape(f.title))\n"
        text += TextWrap.wrap(TerminalText.escape(settings.localTimes(f.summary)), indent: 11, width: width) + "\n"
        let events = ":\(f.line)  (\(f.events.count) event\(f.events.count == 1 ? "" : "s"))"
        let file = TerminalText.escape(f.file)
        // On a terminal a long path loses its middle, keeping the file name.
        let room = width.map { $0 - 11 - events.count } ?? Int.max
        return text + "           " + (room >= 20 ? TextTable.clip(file, room) : file) + events + "\n"
    }
}

fileprivate extension String {
    /// Pads with spaces to `width` characters.
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

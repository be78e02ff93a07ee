import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `rules`: every detection rule — built-in, and those loaded from rule files (Sigma, YARA: one `RuleLibrary`,
/// a loader per format picked by extension) — with its kind, id, level, status and where it came from;
/// `rules load PATH…` loads rule files or folders of them; `rules --not-loaded` lists the rules that were found
/// but not loaded, with file, line and reason.
struct RulesCommand: Command {
    var name: String { "rules" }
    var summary: String { "list the detection rules (built-in and loaded); 'rules load PATH' adds Sigma or YARA rule files or folders" }
    var usage: String { "rules [--not-loaded] | rules load PATH… [--raw]" }
    var options: [OptionSpec] {
        [.flag("not-loaded", "list rules found in rule files but not loaded, with file, line and reason"),
         .flag("raw", "rules load: run the YARA rules over every loaded file, logs included")]
    }
    var completion: ArgumentCompletion { .words(["load"]) }

    /// Per-file lines are printed for loads of at most this many files (a SigmaHQ checkout gets the summary only).
    static let fileLinesLimit = 10

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let library = ctx.session.ruleLibrary
        switch args.positional.first {
        case nil:
            if args.flag("raw") { throw ShellError("rules: --raw goes with 'rules load PATH'") }
            if args.flag("not-loaded") { listProblems(library.problems, ctx) } else { list(library, ctx) }
        case "load":
            let paths = args.positional.dropFirst().map { ($0 as NSString).expandingTildeInPath }
            guard !paths.isEmpty else {
                throw ShellError("usage: rules load PATH… [--raw]  (rule files or folders of them: \(library.extensions.map { "." + $0 }.joined(separator: ", ")))")
            }
            try load(paths, options: args.flag("raw") ? ["raw"] : [], library, ctx)
        case let other?:
            throw ShellError("rules: unknown subcommand '\(TerminalText.escape(other))'; usage: \(usage)")
        }
    }

    private func load(_ paths: [String], options: Set<String>, _ library: RuleLibrary, _ ctx: CommandContext) throws {
        var reports: [(String, RuleLibrary.LoadReport)] = []
        for p in paths {
            do { reports.append((p, try library.load(p, options: options))) } catch let e as RuleLoadError { throw ShellError("rules load: \(TerminalText.escape(e.description))") }
        }
        let files = reports.flatMap { $0.1.files }
        for f in files { ProvenanceLedger.of(ctx.session).recordRuleFile(.init(kind: f.kind, path: f.path, sha256: f.sha256)) }
        let kept = try CaseState.of(ctx.session).keepRuleFiles(files)
        let loaded = reports.reduce(0) { $0 + $1.1.loaded }
        let problems = reports.flatMap { $0.1.problems }
        if ctx.wantsJSON {
            ctx.json(.object([
                ("files", .array(files.map { f in
                    .object([("path", .string(f.path)), ("sha256", .string(f.sha256)), ("kind", .string(f.kind)), ("rules", .int(f.rules)),
                             ("options", .strings(f.options))])
                })),
                ("loaded", .int(loaded)),
                ("not_loaded", .array(problems.map(Self.json))),
                ("warnings", .strings(reports.flatMap { $0.1.warnings })),
                ("case", kept.map { .string($0) } ?? .null),
            ]))
        } else {
            for (path, r) in reports {
                if r.files.count <= Self.fileLinesLimit {
                    for f in r.files where f.rules > 0 {
                        ctx.status(TerminalText.escape("loaded \(f.path): \(f.rules) \(f.kind) rule\(f.rules == 1 ? "" : "s") (SHA-256 \(f.sha256.prefix(16))…)"))
                    }
                }
                let kinds = Dictionary(grouping: r.files, by: \.kind).map { "\($0.value.reduce(0) { $0 + $1.rules }) \($0.key)" }.sorted()
                // Files that gave no rule (one that did not compile) are counted apart (reviewer: "from 3 files" when one loaded).
                let loading = r.files.filter { $0.rules > 0 }.count, none = r.files.count - loading
                ctx.status(TerminalText.escape("\(path): loaded \(r.loaded) rule\(r.loaded == 1 ? "" : "s") (\(kinds.joined(separator: ", "))) from \(loading) file\(loading == 1 ? "" : "s")"
                    + (none == 0 ? "" : " (\(none) more read, none loaded)") + (r.problems.isEmpty ? "" : "; \(r.problems.count) not loaded")))
                let unsupported = r.problems.filter(\.unsupported).count
                for p in r.problems.filter({ !$0.unsupported }).prefix(10) {
                    ctx.status("  " + TerminalText.escape("not loaded: \(p.source)\(p.line.map { ":\($0)" } ?? ""): \(p.reason)"))
                }
                let brokenMore = r.problems.filter { !$0.unsupported }.count - 10
                if brokenMore > 0 { ctx.status("  … \(brokenMore) more broken") }
                for w in r.warnings { ctx.status("  " + TerminalText.escape(w)) }
                if unsupported > 0 { ctx.status("  \(unsupported) rule\(unsupported == 1 ? "" : "s") use\(unsupported == 1 ? "s" : "") what exhunt does not support or a log source it does not map") }
            }
            let withRules = files.filter { $0.rules > 0 }.count
            ctx.status("\(withRules) rule file\(withRules == 1 ? "" : "s") loaded" + (problems.isEmpty ? "" : ", \(problems.count) problem\(problems.count == 1 ? "" : "s")")
                     + "; 'hunt' runs them (findings KIND:ID, e.g. sigma:<id>, yara:RULE)")
            if !problems.isEmpty { ctx.status("'rules --not-loaded' lists every rule not loaded, with its reason") }
            if let kept { ctx.status(TerminalText.escape("recorded in case \(kept); they load again when it is opened")) }
        }
        if loaded == 0 && !problems.isEmpty { throw ShellError("rules load: nothing loaded") }
    }

    private func list(_ library: RuleLibrary, _ ctx: CommandContext) {
        let builtIn = RuleRegistry.standard
        if ctx.wantsJSON {
            ctx.json(.array(builtIn.map { r in
                .object([("id", .string(r.id)), ("title", .string(r.title)), ("kind", .string("builtin")), ("level", .string(r.severity.name)),
                         ("status", .string("stable")), ("file", .null), ("cves", .strings(r.cves)),
                         ("severity", .string(r.severity.name)), ("sources", .strings(r.sources.map(\.rawValue))),
                         ("depends_on", .strings(r.dependsOn)), ("help", .string(r.help)), ("help_topic", .string("rules/\(r.id)"))])
            } + library.rules.map { r in
                .object([("id", .string(r.id)), ("title", .string(r.title)), ("kind", .string(r.kind)), ("level", .string(r.level)),
                         ("status", .string(r.status)), ("file", .string(r.source)), ("line", .int(r.line)), ("rule", .string(r.findingRule)),
                         ("cves", .strings(r.cves)), ("references", .strings(r.references))])
            }))
            return
        }
        var table = TextTable(["kind", "id", "level", "status", "CVEs", "title", "from"])
        for r in builtIn {
            table.add(["built-in", r.id, r.severity.name, "stable", r.cves.isEmpty ? "-" : r.cves.joined(separator: " "), r.title,
                       r.dependsOn.isEmpty ? r.sources.map(\.rawValue).joined(separator: ",") : "findings"])
        }
        for r in library.rules {
            table.add([r.kind, r.findingRule, r.level, r.status.isEmpty ? "-" : r.status, r.cves.isEmpty ? "-" : r.cves.joined(separator: " "),
                       r.title, Self.shortPath(r.source) + ":\(r.line)"])
        }
        ctx.table(table)
        var counts = "\(builtIn.count) built-in rules"
        for (kind, rs) in Dictionary(grouping: library.rules, by: \.kind).sorted(by: { $0.key < $1.key }) {
            counts += ", \(rs.count) \(kind) from \(Set(rs.map(\.file)).count) file\(Set(rs.map(\.file)).count == 1 ? "" : "s")"
        }
        if !library.problems.isEmpty { counts += " (\(library.problems.count) not loaded: 'rules --not-loaded')" }
        ctx.line(counts + "; 'help rules/ID' explains a built-in rule, 'hunt --rule ID' runs one, 'rules load PATH' adds Sigma or YARA rules")
    }

    private func listProblems(_ problems: [RuleLoadProblem], _ ctx: CommandContext) {
        if ctx.wantsJSON { ctx.json(.array(problems.map(Self.json))); return }
        if problems.isEmpty { ctx.line("every rule found in the loaded rule files was loaded"); return }
        var table = TextTable(["file", "line", "id", "title", "why"])
        for p in problems {
            table.add([Self.shortPath(p.source), p.line.map(String.init) ?? "-", p.id.isEmpty ? "-" : p.id, p.title.isEmpty ? "-" : p.title,
                       (p.unsupported ? "unsupported: " : "broken: ") + p.reason])
        }
        ctx.table(table)
        ctx.line("\(problems.count) not loaded (\(problems.filter(\.unsupported).count) unsupported, \(problems.filter { !$0.unsupported }.count) broken); 'help sigma' lists what is supported")
    }

    static func json(_ p: RuleLoadProblem) -> JSONValue {
        .object([("file", .string(p.source)), ("line", p.line.map { .int($0) } ?? .null), ("id", .string(p.id)), ("title", .string(p.title)),
                 ("reason", .string(p.reason)), ("unsupported", .bool(p.unsupported))])
    }

    /// The last three components of a path: enough to tell rule files apart in a table.
    static func shortPath(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.count <= 3 ? path : "…/" + parts.suffix(3).joined(separator: "/")
    }
}

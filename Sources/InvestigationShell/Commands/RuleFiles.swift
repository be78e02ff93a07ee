import ExchangeDetection
import Foundation

/// Detection content loaded at run time with `rules load`, kept for the session and handed to `hunt`.
///
/// Loaders are chosen by file extension (`loaders`), so another format (Sigma's `.yml`) is one more entry.
/// Each loader keeps its own files and turns them into detection rules; the hunt cache is reset whenever
/// they change. The files are remembered by the open case (path and SHA-256) and reloaded when it opens.
public final class RuleFiles {
    /// A kind of rule file: its extensions and how a set of such files becomes rules.
    struct Loader {
        let kind: String
        let extensions: Set<String>
        /// Compiles `paths` (all files of this kind loaded so far, new ones last) with the given options.
        let load: (_ paths: [String], _ options: Set<String>, _ ctx: CommandContext) throws -> Loaded
    }

    /// What a loader made of its files.
    struct Loaded {
        var rules: [any DetectionRule]
        /// Files that loaded, with the SHA-256 of the bytes used and how many rules each held.
        var files: [(path: String, sha256: String, rules: [String])]
        /// Problems by file and line (broken files are left out; the others load).
        var problems: [String]
    }

    static let loaders: [Loader] = [YaraRuleFiles.loader]

    static func loader(forExtension ext: String) -> Loader? { loaders.first { $0.extensions.contains(ext.lowercased()) } }
    static var knownExtensions: [String] { loaders.flatMap(\.extensions).sorted() }

    /// Per loader kind: the paths loaded, their options and what they made.
    private(set) var paths: [String: [String]] = [:]
    private(set) var options: [String: Set<String>] = [:]
    private(set) var loaded: [String: Loaded] = [:]

    public static func of(_ session: Session) -> RuleFiles { session.attachment(RuleFiles.self) { RuleFiles() } }

    /// Every rule loaded at run time (all kinds).
    var rules: [any DetectionRule] { loaded.keys.sorted().flatMap { loaded[$0]!.rules } }

    /// Loads `newPaths` (files of `loader`'s kind) on top of those already loaded; returns what it made.
    func add(_ newPaths: [String], loader: Loader, options opts: Set<String>, ctx: CommandContext) throws -> Loaded {
        var all = paths[loader.kind] ?? []
        for p in newPaths where !all.contains(p) { all.append(p) }
        let merged = (options[loader.kind] ?? []).union(opts)
        let result = try loader.load(all, merged, ctx)
        paths[loader.kind] = result.files.map(\.path)
        options[loader.kind] = merged
        loaded[loader.kind] = result
        HuntFindings.of(ctx.session).setLoadedRules(rules)
        return result
    }

    /// The case's rows for the files loaded now.
    var caseRows: [CaseRuleFile] {
        loaded.keys.sorted().flatMap { kind in
            loaded[kind]!.files.map { CaseRuleFile(path: $0.path, sha256: $0.sha256, kind: kind, options: (options[kind] ?? []).sorted().joined(separator: ",")) }
        }
    }

    /// A case was opened: record the files loaded before it, then load the case's files not loaded yet,
    /// saying when one is missing or changed since the case recorded it.
    func caseOpened(_ file: CaseFile, session: Session) throws {
        try file.recordRuleFiles(caseRows, user: CaseState.user, time: CaseState.now)
        let ctx = CommandContext(session: session, args: Arguments())
        for (kind, rows) in Dictionary(grouping: try file.ruleFiles(), by: \.kind).sorted(by: { $0.key < $1.key }) {
            guard let loader = Self.loaders.first(where: { $0.kind == kind }) else {
                ctx.diagnostic(TerminalText.escape("case \(file.path): \(rows.count) \(kind) rule file(s) recorded; this exhunt cannot load \(kind) rules"))
                continue
            }
            let fresh = rows.filter { !(paths[kind] ?? []).contains($0.path) }
            guard !fresh.isEmpty else { continue }
            let opts = Set(rows.flatMap { $0.options.split(separator: ",").map(String.init) })
            let result = try add(fresh.map(\.path), loader: loader, options: opts, ctx: ctx)
            for row in fresh {
                if let now = result.files.first(where: { $0.path == row.path }) {
                    if now.sha256 != row.sha256 {
                        ctx.diagnostic(TerminalText.escape("case \(file.path): rule file \(row.path) changed since the case recorded it (SHA-256 \(row.sha256.prefix(12))… now \(now.sha256.prefix(12))…); loaded as it is now"))
                    }
                } else {
                    ctx.diagnostic(TerminalText.escape("case \(file.path): rule file \(row.path) recorded by the case could not be loaded"))
                }
            }
            for p in result.problems { ctx.diagnostic(TerminalText.escape(p)) }
            ctx.diagnostic("case \(TerminalText.escape(file.path)): reloaded \(fresh.count) \(kind) rule file\(fresh.count == 1 ? "" : "s")")
        }
        try file.recordRuleFiles(caseRows, user: CaseState.user, time: CaseState.now)
    }
}

/// `.yar`/`.yara` files: compiled together by libyara; one `yara` detection runs them over the evidence.
enum YaraRuleFiles {
    static let loader = RuleFiles.Loader(kind: "yara", extensions: ["yar", "yara"]) { paths, options, _ in
        let result: YaraCompiler.Result
        do { result = try YaraCompiler.compile(files: paths) } catch let e as YaraError { throw ShellError("rules load: \(e)") }
        let names = result.files.map { ($0.path as NSString).lastPathComponent }
        let rules: [any DetectionRule] = result.ruleSet.map { [YaraScanRule(ruleSet: $0, raw: options.contains("raw"), fileNames: names)] } ?? []
        var problems = result.diagnostics.map { d in
            (result.rejected.contains(d.file) ? "not loaded: " : "") + d.description
        }
        for r in result.rejected where !result.diagnostics.contains(where: { $0.file == r }) { problems.append("not loaded: \(r)") }
        return RuleFiles.Loaded(rules: rules, files: result.files.map { ($0.path, $0.sha256, $0.rules) }, problems: problems)
    }
}

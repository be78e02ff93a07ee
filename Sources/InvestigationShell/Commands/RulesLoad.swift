import ExchangeDetection
import Foundation

/// `rules load PATH…`: loads rule files and folders (searched recursively) by extension — `.yar`/`.yara` today —
/// into the session, and into the open case. A broken file is reported by file and line; the others load.
enum RulesLoad {
    static func run(_ paths: [String], _ args: Arguments, _ ctx: CommandContext) throws {
        guard !paths.isEmpty else { throw ShellError("usage: rules load PATH… [--raw]  (files or folders of \(RuleFiles.knownExtensions.map { "." + $0 }.joined(separator: ", ")))") }
        var byKind: [String: [String]] = [:]
        var skipped: [String] = []
        for raw in paths {
            let path = URL(fileURLWithPath: (raw as NSString).expandingTildeInPath).standardizedFileURL.path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw ShellError("rules load: no such file or folder: \(TerminalText.escape(raw))")
            }
            if isDir.boolValue {
                let found = ruleFiles(under: path)
                if found.isEmpty { skipped.append("\(raw): no \(RuleFiles.knownExtensions.map { "." + $0 }.joined(separator: "/")) files in the folder") }
                for f in found { byKind[RuleFiles.loader(forExtension: (f as NSString).pathExtension)!.kind, default: []].append(f) }
            } else if let loader = RuleFiles.loader(forExtension: (path as NSString).pathExtension) {
                byKind[loader.kind, default: []].append(path)
            } else {
                throw ShellError("rules load: \(TerminalText.escape(raw)): unknown rule file type (exhunt loads \(RuleFiles.knownExtensions.map { "." + $0 }.joined(separator: ", ")))")
            }
        }
        let state = RuleFiles.of(ctx.session)
        var report: [JSONValue] = []
        var problems: [String] = skipped
        for (kind, files) in byKind.sorted(by: { $0.key < $1.key }) {
            let loader = RuleFiles.loaders.first { $0.kind == kind }!
            let result = try state.add(files, loader: loader, options: args.flag("raw") ? ["raw"] : [], ctx: ctx)
            problems += result.problems
            for f in result.files where files.contains(f.path) {
                report.append(.object([("kind", .string(kind)), ("path", .string(f.path)), ("sha256", .string(f.sha256)), ("rules", .strings(f.rules))]))
                if !ctx.wantsJSON {
                    ctx.line("loaded \(TerminalText.escape(f.path)): \(f.rules.count) \(kind) rule\(f.rules.count == 1 ? "" : "s") (SHA-256 \(f.sha256.prefix(16))…)")
                }
            }
        }
        if let file = CaseState.of(ctx.session).file {
            try file.recordRuleFiles(state.caseRows, user: CaseState.user, time: CaseState.now)
        }
        if ctx.wantsJSON {
            ctx.json(.object([("loaded", .array(report)), ("problems", .strings(problems))]))
        } else {
            for p in problems { ctx.line(TerminalText.escape(p)) }
            ctx.line("\(report.count) rule file\(report.count == 1 ? "" : "s") loaded" + (problems.isEmpty ? "" : ", \(problems.count) problem\(problems.count == 1 ? "" : "s")")
                     + "; 'hunt' runs them (findings yara:RULE)")
        }
        if report.isEmpty && !problems.isEmpty { throw ShellError("rules load: nothing loaded") }
    }

    /// Rule files under a folder, recursively, in path order.
    static func ruleFiles(under folder: String) -> [String] {
        let known = Set(RuleFiles.knownExtensions)
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            if known.contains((rel as NSString).pathExtension.lowercased()) { out.append((folder as NSString).appendingPathComponent(rel)) }
        }
        return out.sorted()
    }
}

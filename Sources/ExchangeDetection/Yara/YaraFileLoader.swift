import Foundation

/// `.yar`/`.yara` files, compiled by libyara. Each file is compiled alone when loaded, so a broken one is reported
/// with its file and line and the others load; at hunt time the loaded files are compiled together (one namespace
/// per file) into one `YaraScanRule`, so a single pass over the evidence runs every YARA rule.
public struct YaraFileLoader: RuleFileLoader {
    public init() {}

    public var kind: String { "yara" }
    public var extensions: [String] { ["yar", "yara"] }

    /// What a loaded YARA rule carries: its file's bytes as loaded (compiled again with the others at hunt time,
    /// so the rules run are exactly those whose SHA-256 was recorded).
    struct Source: Sendable {
        let path: String
        let bytes: [UInt8]
    }

    public func load(path: String, bytes: [UInt8]) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String]) {
        func problem(_ line: Int?, _ reason: String, in file: String? = nil) -> RuleLoadProblem {
            RuleLoadProblem(file: path, line: line, id: "", title: "", reason: reason, unsupported: false, definedIn: file == path ? nil : file)
        }
        let result: YaraCompiler.Result
        do { result = try YaraCompiler.compile(sources: [(path, bytes)]) } catch { return ([], [problem(nil, "\(error)")], []) }
        let errors = result.diagnostics.filter { !$0.isWarning }.map { problem($0.line, $0.message, in: $0.file) }
        let lines = Self.ruleLines(String(decoding: bytes, as: UTF8.self))
        guard let file = result.files.first else {
            // libyara compiles a file whole: its sound rules are refused with the broken one, each named, so
            // `rules --not-loaded` lists every rule found (reviewer: `ok2` beside a broken `bad2` went unsaid).
            let first = errors.first.map { " (\($0.line.map { "line \($0): " } ?? "")\($0.reason))" } ?? ""
            let refused = lines.sorted { $0.value < $1.value }.map { name, line in
                RuleLoadProblem(file: path, line: line, id: name, title: "YARA rule \(name)",
                                reason: "rule \(name): refused with its file, which did not compile\(first)", unsupported: false, definedIn: nil)
            }
            return ([], (errors.isEmpty ? [problem(nil, "did not compile")] : errors) + refused, [])
        }
        let included = result.includes.map { ($0.path, Self.ruleLines(String(decoding: $0.bytes, as: UTF8.self))) }
        let source = Source(path: path, bytes: bytes)
        let rules = file.rules.map { name in
            // A rule that came in through an include is written in that file: the same rule as that file's own.
            let from = lines[name] == nil ? included.first { $0.1[name] != nil } : nil
            return LoadedRule(kind: kind, id: name, title: "YARA rule \(name)" + (from.map { " (from include \(($0.0 as NSString).lastPathComponent))" } ?? ""),
                              level: (result.ruleSet?.severity(of: name) ?? .high).name, status: "", file: path,
                              line: from?.1[name] ?? lines[name] ?? 0, references: [], findingRule: YaraScanRule.prefix + name, payload: source,
                              definedIn: from?.0)
        }
        let levels = rules.compactMap { r -> String? in
            guard let set = result.ruleSet, let odd = set.unknownLevel(of: r.id) else { return nil }
            return RuleLevel.warning(file: r.source, line: r.line, key: "rule \(r.id): \(odd.key)", word: odd.word, used: set.severity(of: r.id))
        }
        return (rules, errors, result.diagnostics.filter(\.isWarning).map(\.description) + levels)
    }

    public func detectionRules(_ rules: [LoadedRule], options: Set<String>) -> [any DetectionRule] {
        var sources: [Source] = []
        for r in rules {
            if let s = r.payload as? Source, !sources.contains(where: { $0.path == s.path }) { sources.append(s) }
        }
        guard !sources.isEmpty, let result = try? YaraCompiler.compile(sources: sources.map { ($0.path, $0.bytes) }),
              let set = result.ruleSet else { return [] }
        // Only the rules `rules load` accepted report: a name another file loaded first reports from that file.
        for (i, s) in sources.enumerated() {
            set.keep(namespace: YaraCompiler.namespace(i), only: Set(rules.filter { $0.file == s.path }.map(\.id)))
        }
        let fileOfRule = Dictionary(rules.map { ($0.id, ($0.file as NSString).lastPathComponent) }) { first, _ in first }
        return [YaraScanRule(ruleSet: set, raw: options.contains("raw"), fileOfRule: fileOfRule)]
    }

    /// The line each `rule NAME` declaration starts on (1-based), for `rules` listings.
    static func ruleLines(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" || $0 == ":" || $0 == "\r" })
            guard let at = words.firstIndex(of: "rule"), at + 1 < words.count,
                  words[..<at].allSatisfy({ $0 == "private" || $0 == "global" }) else { continue }
            let name = String(words[at + 1])
            if out[name] == nil { out[name] = i + 1 }
        }
        return out
    }
}

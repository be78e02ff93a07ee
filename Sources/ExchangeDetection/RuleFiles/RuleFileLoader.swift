/// A rule read from a rule file (Sigma, YARA), as `rules` lists it.
public struct LoadedRule: Sendable {
    /// The loader's kind: `sigma`, `yara`.
    public let kind: String
    /// The rule's own id (a Sigma rule's `id` UUID, a YARA rule's name).
    public let id: String
    public let title: String
    public let level: String
    public let status: String
    public let file: String
    public let line: Int
    /// The line of the rule's id where that is not `line` (a Sigma rule's `id:` key), where a repeated id is reported.
    public let idLine: Int?
    public let references: [String]
    /// The CVEs the rule concerns (a Sigma rule's `cve.…` tags), as its findings carry them.
    public let cves: [String]
    /// The `rule` its findings carry, e.g. `sigma:<uuid>`.
    public let findingRule: String
    /// What the loader needs to run the rule (a `SigmaRule`, a compiled YARA rule).
    public let payload: any Sendable
    /// The file the rule is written in when that is not `file` (`line` is then that file's): a YARA rule that came
    /// in through an `include`. Loading that file too gives the same rule, not a second one.
    public let definedIn: String?
    /// The file the rule is written in, which `line` counts in: where listings and help point (the included file
    /// for a YARA rule that came in through an `include`, not the file that was loaded).
    public var source: String { definedIn ?? file }

    public init(kind: String, id: String, title: String, level: String, status: String, file: String, line: Int, idLine: Int? = nil,
                references: [String], cves: [String] = [], findingRule: String, payload: any Sendable, definedIn: String? = nil) {
        self.kind = kind
        self.id = id
        self.title = title
        self.level = level
        self.status = status
        self.file = file
        self.line = line
        self.idLine = idLine
        self.references = references
        self.cves = cves
        self.findingRule = findingRule
        self.payload = payload
        self.definedIn = definedIn
    }
}

/// One format of rule files. `rules load` picks the loader by file extension, so a new format is a new
/// loader in `RuleLibrary.standardLoaders`.
public protocol RuleFileLoader: Sendable {
    var kind: String { get }
    /// Lower-case extensions without the dot.
    var extensions: [String] { get }
    /// Reads one file: the rules it holds, those it could not load (never silently dropped), and warnings about
    /// rules that did load (`FILE:LINE: warning: …`, e.g. libyara's slow-string warnings).
    func load(path: String, bytes: [UInt8]) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String])
    /// As `load(path:bytes:)`, keeping clear of `taken`, the ids of this kind already loaded from other files: a
    /// loader that names rules itself (a Sigma rule without `id:` is named after its file) picks other names.
    func load(path: String, bytes: [UInt8], taken: Set<String>) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String])
    /// Detection rules that run every loaded rule of this kind (one pass for all of them where the format allows);
    /// `options` are those given to `rules load` for files of this kind (YARA's `raw`).
    func detectionRules(_ rules: [LoadedRule], options: Set<String>) -> [any DetectionRule]
}

extension RuleFileLoader {
    /// Rules named in their file (YARA's) have no name to choose.
    public func load(path: String, bytes: [UInt8], taken: Set<String>) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String]) {
        load(path: path, bytes: bytes)
    }
}

/// Sigma YAML files.
public struct SigmaFileLoader: RuleFileLoader {
    public let map: SigmaLogSourceMap

    public init(map: SigmaLogSourceMap = .standard) { self.map = map }

    public var kind: String { "sigma" }
    public var extensions: [String] { ["yml", "yaml"] }

    public func load(path: String, bytes: [UInt8]) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String]) {
        load(path: path, bytes: bytes, taken: [])
    }

    public func load(path: String, bytes: [UInt8], taken: Set<String>) -> (rules: [LoadedRule], problems: [RuleLoadProblem], warnings: [String]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = SigmaParser.parse(text, file: path, taken: taken)
        var problems = parsed.problems
        var rules: [LoadedRule] = []
        var warnings: [String] = []
        for r in parsed.rules {
            if map.bindings(for: r.logsource).isEmpty {
                problems.append(RuleLoadProblem(file: path, line: r.logsourceLine, id: r.id, title: r.title,
                                                reason: "log source '\(r.logsource)' is not mapped to exhunt's evidence (help sigma)",
                                                unsupported: true))
                continue
            }
            if !r.level.isEmpty, RuleLevel.severity(named: r.level) == nil {
                warnings.append(RuleLevel.warning(file: path, line: r.levelLine, key: "level", word: r.level, used: r.severity))
            }
            // Sigma's word for the level used: `info` and `High` are listed as `informational` and `high`.
            rules.append(LoadedRule(kind: kind, id: r.id, title: r.title, level: RuleLevel.sigmaWord(r.severity),
                                    status: r.status, file: path, line: r.line, idLine: r.idLine, references: r.references, cves: r.cves,
                                    findingRule: r.findingRule, payload: r))
            if let note = r.idNote { warnings.append("\(path):\(r.line): warning: no id: \(note)") }
            if let note = r.readingNote { warnings.append("\(path):\(note.line): warning: \(note.text)") }
        }
        return (rules, problems, warnings)
    }

    public func detectionRules(_ rules: [LoadedRule], options: Set<String>) -> [any DetectionRule] {
        let sigma = rules.compactMap { $0.payload as? SigmaRule }
        return sigma.isEmpty ? [] : [SigmaPass(rules: sigma, map: map)]
    }
}

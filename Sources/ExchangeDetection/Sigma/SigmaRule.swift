/// One Sigma rule as loaded: its metadata, log source and compiled detection.
///
/// The detection is kept as Sigma wrote it (named searches and one condition tree); `SigmaCompiler` binds it
/// to evidence through the log-source mapping when a hunt runs, so a mapping change needs no reload.
public struct SigmaRule: Sendable {
    /// The rule's own `id` (a UUID in SigmaHQ); findings use `sigma:<id>`. A rule without one is named after
    /// its file (`idNote` says so).
    public let id: String
    public let title: String
    public let status: String
    /// As written: informational, low, medium, high, critical.
    public let level: String
    public let description: String
    public let references: [String]
    public let tags: [String]
    public let logsource: SigmaLogSource
    let searches: [String: SigmaSearch]
    let condition: SigmaCondition
    /// File the rule came from and the line its document starts on.
    public let file: String
    public let line: Int
    /// For a rule without `id:`, how `id` was made (`named sigma:c after the file; …`), which loading reports as
    /// a warning of the file; nil when the rule has its own.
    public let idNote: String?
    /// How a condition that reads two ways was read (`all of` naming one keyword list), which loading reports as a
    /// warning of the file at the condition's line; nil when none does.
    public var readingNote: (line: Int, text: String)? = nil
    /// The line of `level:`, for the warning when its word is not a level.
    var levelLine = 0
    /// The line of `id:` (nil without one), where a repeated id is reported.
    public var idLine: Int? = nil
    /// The line of `logsource:`, where a log source the mapping does not name is reported.
    public var logsourceLine = 0

    /// The id findings carry.
    public var findingRule: String { "sigma:" + id }

    /// Every item of every search, in no particular order: what a table must evaluate for the rule.
    var items: [SigmaItem] { searches.values.flatMap { $0.alternatives.flatMap { $0 } } }

    /// The level as an exhunt severity (a rule without a level, or with a word that is not one, counts as medium,
    /// Sigma's usual default; loading warns of the latter, see `RuleLevel`).
    public var severity: Severity { RuleLevel.severity(named: level) ?? .medium }

    /// CVE ids from tags such as `cve.2021-26855` (SigmaHQ's convention; older rules write `cve.2021.26855`),
    /// upper-cased: `CVE-2021-26855`.
    public var cves: [String] {
        tags.compactMap { t in
            let l = t.lowercased()
            guard l.hasPrefix("cve.") else { return nil }
            let id = l.dropFirst(4)
            let year = id.prefix(4)
            guard year.count == 4, year.allSatisfy(\.isNumber), id.count > 5 else { return "CVE-" + id.uppercased() }
            return "CVE-\(year)-" + id.dropFirst(5).uppercased()
        }
    }
}

/// `logsource:` of a rule; every key is optional.
public struct SigmaLogSource: Sendable, Hashable, CustomStringConvertible {
    public var category: String?
    public var product: String?
    public var service: String?

    public var description: String {
        [("category", category), ("product", product), ("service", service)]
            .compactMap { k, v in v.map { "\(k)=\($0)" } }.joined(separator: " ")
    }
}

/// A named search: a list of maps (any of them; within a map every item must hold) or keywords.
struct SigmaSearch: Sendable {
    let name: String
    /// OR of alternatives; each alternative is an AND of items.
    let alternatives: [[SigmaItem]]
}

/// One `field|modifiers: values` entry (field nil: keywords, matched against every value of the event).
///
/// Each value of the list becomes a group of tests (one value can give several: `windash` spellings,
/// `base64offset` shifts); a group holds when any of its tests does.
struct SigmaItem: Sendable, Hashable {
    let field: String?
    let groups: [[SigmaTest]]
    /// `|all`: every group must hold (otherwise any).
    let all: Bool
    /// The key as written, for explanations.
    let key: String
}

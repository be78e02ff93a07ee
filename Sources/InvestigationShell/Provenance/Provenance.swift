import ExchangeDetection
import ExchangeEvidence
import Foundation

/// What produced an output, so that a report, an export or a JSON result can be checked and reproduced:
/// the exhunt build, the digests of the rules and indicator sets it applied, the time zone its times are
/// shown in, the command lines that led to it, and the evidence files that could not be read.
/// Every writer takes it from `Provenance.of(session)`.
public struct Provenance {
    public struct Digest: Sendable {
        public var name: String
        public var count: Int
        public var sha256: String
    }

    public var version: String
    public var commit: String
    public var commitSource: String
    public var binarySHA256: String?
    /// The built-in rule set: count and digest (`Provenance.ruleSetDigest`).
    public var rules: Digest
    /// Rule files loaded besides the built-in rules (Sigma, YARA); see `ProvenanceLedger.recordRuleFile`.
    public var ruleFiles: [ProvenanceLedger.RuleFile]
    /// Every indicator set (built-in, loaded, the analyst's), with its digest.
    public var iocSets: [Digest]
    /// The field-mapping data files users may edit, with their digests: an edit changes which events a Sigma
    /// rule sees and where an export puts a field, as a rule's edit would (reviewer: edits were recorded nowhere).
    public var mappings: [(file: String, sha256: String)] = Self.mappingDigests()
    public var timezone: String
    /// How exhunt was started (its arguments), and the command lines run in the session.
    public var invocation: [String]
    public var commands: [ProvenanceLedger.Entry]
    /// Evidence files found but not read (unreadable, unknown format, hostile archive entries).
    public var unreadable: [(path: String, message: String)]
    /// The zips evidence was read from, as received (their members' digests are in the file list).
    public var zips: [LoadReport.Archive]
    /// Loaded files found changed on disk since their load (truncated, rewritten, removed): what an output read of
    /// their bytes may not be what their recorded SHA-256 describes.
    public var changed: [(path: String, message: String)] = []

    public static func of(_ session: Session) -> Provenance {
        let build = BuildInfo.current
        let ledger = ProvenanceLedger.of(session)
        return Provenance(
            version: BuildInfo.version, commit: build.commit, commitSource: build.commitSource, binarySHA256: build.binarySHA256,
            rules: Digest(name: "built-in", count: RuleRegistry.standard.count, sha256: ruleSetDigest),
            ruleFiles: ledger.ruleFiles, iocSets: session.indicatorLibrary.sets.map(digest),
            timezone: session.settings.timezoneName, invocation: CommandLine.arguments,
            commands: ledger.commands,
            unreadable: session.loads.flatMap { $0.discoveryProblems.filter(\.skipped).map { (path: $0.path, message: $0.message) } }
                + session.interruptedLoads.map { (path: $0.root, message: interruptedMessage($0)) },
            zips: session.loads.flatMap(\.zips),
            changed: session.store.files.compactMap { f in f.changedSinceLoad.map { (session.store.citation(of: f), $0) } })
    }

    /// Why the rest of an interrupted evidence set is missing, and how to read it.
    static func interruptedMessage(_ l: (evidenceSet: String, root: String, files: Int)) -> String {
        "the load of evidence set '\(l.evidenceSet)' was interrupted (Ctrl-C) after \(LoadCommand.count(l.files, "file")): "
            + "the files after them were not read, and servers found only there are in no verdict; load it again to read them "
            + "(files already read are skipped)"
    }

    /// Where the data files (mappings, indicator sets, the build catalog) are read from, for `--version`: a user
    /// who edits a mapping edits the file there.
    public static var dataFolder: String? { ProgramFolders.resources?.path }

    /// The data files that map fields (Sigma log sources, ECS, event-data names, SIEM web exports), as read now.
    static let mappingFiles = ["sigma/logsources.yml", "mappings/ecs.tsv", "mappings/event-data-names.tsv", "mappings/web-export-fields.tsv"]

    static func mappingDigests() -> [(file: String, sha256: String)] {
        mappingFiles.compactMap { f in (try? DetectionData.data(f)).map { (f, SHA256.hex(Array($0))) } }
    }

    /// SHA-256 over the built-in rules' ids, severities, CVEs, sources, titles and descriptions, one rule a
    /// line in registry order: it changes when a rule is added, removed or re-described. The rules' code is
    /// pinned by the binary's own digest.
    public static let ruleSetDigest: String = {
        let text = RuleRegistry.standard.map { r in
            [r.id, r.severity.name, r.cves.joined(separator: ","), r.sources.map(\.rawValue).joined(separator: ","), r.title, r.help]
                .joined(separator: "\t") + "\n"
        }.joined()
        return SHA256.hex([UInt8](text.utf8))
    }()

    /// SHA-256 over a set's indicators as `type<TAB>normalized value` lines, sorted: the same indicators give
    /// the same digest whatever file or order they came from.
    public static func digest(_ set: IndicatorSet) -> Digest {
        let text = set.indicators.map { "\($0.type.rawValue)\t\($0.normalized)\n" }.sorted().joined()
        return Digest(name: set.name, count: set.indicators.count, sha256: SHA256.hex([UInt8](text.utf8)))
    }

    /// `exhunt 0.1.0 (commit …)`.
    public var versionLine: String { "exhunt \(version) (commit \(commit))" }

    /// The command lines as one shell-quoted line each, failed ones marked.
    public var commandLines: [String] {
        commands.map { ($0.failed ? "# failed: " : "") + CommandRecorder.oneLine($0.line) }
    }

    /// `exhunt -c '…'` as it was started.
    public var invocationLine: String {
        (["exhunt"] + invocation.dropFirst().map { Tokenizer.quote($0) }).joined(separator: " ")
    }

    public var json: JSONValue {
        .object([
            ("exhunt", .string(version)), ("commit", .string(commit)), ("commit_source", .string(commitSource)),
            ("binary_sha256", .optional(binarySHA256)),
            ("rules", .object([("set", .string(rules.name)), ("count", .int(rules.count)), ("sha256", .string(rules.sha256))])),
            ("rule_files", .array(ruleFiles.map { .object([("kind", .string($0.kind)), ("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("ioc_sets", .array(iocSets.map { .object([("set", .string($0.name)), ("indicators", .int($0.count)), ("sha256", .string($0.sha256))]) })),
            ("mappings", .array(mappings.map { .object([("file", .string($0.file)), ("sha256", .string($0.sha256))]) })),
            ("timezone", .string(timezone)),
            ("invocation", .string(invocationLine)),
            ("commands", .array(commands.map { .object([("time", .time($0.time)), ("command", .string($0.line)), ("failed", .bool($0.failed))]) })),
            ("unreadable_files", .array(unreadable.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
            ("zips", .array(zips.map { .object([("path", .string($0.path)), ("bytes", .int($0.size)), ("sha256", .string($0.sha256))]) })),
            ("changed_since_load", .array(changed.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
        ])
    }

    /// An export's provenance file: `json` indented, and every evidence file loaded (evidence set, path, server,
    /// size, SHA-256), so a file the export has no row from is named too and the export can be tied to the
    /// evidence it was made from (reviewer: the rows named only their own files). One file a line, written as
    /// text: 17,000 files as indented JSON values made a 5 MB file and a fifth of a second of each export (bench).
    public static func exportText(_ session: Session) -> String {
        var text = of(session).json.pretty()
        guard text.hasSuffix("}") else { return text + "\n" }
        text.removeLast()
        while text.last == "\n" || text.last == " " { text.removeLast() }
        var lines: [String] = []
        lines.reserveCapacity(session.store.files.count)
        for f in session.store.filesAsRead {
            var line = "{\"evidence_set\": "
            JSONValue.quote(f.evidenceSet, into: &line)
            line += ", \"path\": "
            JSONValue.quote(f.path, into: &line)
            line += ", \"server\": "
            JSONValue.quote(f.server, into: &line)
            line += ", \"bytes\": \(f.size), \"sha256\": \"\(f.sha256)\"}"
            lines.append(line)
        }
        return text + ",\n  \"evidence_files\": [" + (lines.isEmpty ? "" : "\n    " + lines.joined(separator: ",\n    ") + "\n  ") + "]\n}\n"
    }

    /// `key: value` lines for plain-text outputs (`--version`, the Markdown report), without the commands.
    public var summaryLines: [(String, String)] {
        var out: [(String, String)] = [
            ("exhunt", version),
            ("commit", commit == "unknown" ? "unknown (\(commitSource))" : commit),
            ("binary", binarySHA256.map { "sha256:\($0)" } ?? "unknown (the executable could not be read)"),
            ("rules", "\(rules.count) built-in, sha256:\(rules.sha256)"),
        ]
        for f in ruleFiles { out.append(("rule file", "\(f.kind) \(f.path) sha256:\(f.sha256)")) }
        for s in iocSets { out.append(("ioc set", "\(s.name) (\(s.count) indicators) sha256:\(s.sha256)")) }
        for m in mappings { out.append(("mapping", "\(m.file) sha256:\(m.sha256)")) }
        for z in zips { out.append(("zip", "\(z.path) (\(z.size) bytes) sha256:\(z.sha256)")) }
        for c in changed { out.append(("changed since load", "\(c.path): \(c.message)")) }
        out.append(("time zone", timezone))
        return out
    }
}

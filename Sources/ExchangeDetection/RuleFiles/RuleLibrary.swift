import ExchangeEvidence
import Foundation

/// The rules a session loaded from files, beside the built-in ones: what loaded, what did not and why,
/// and the files they came from (with SHA-256, so a case can reload exactly those).
public final class RuleLibrary: @unchecked Sendable {
    /// Loaders by format; `rules load` picks one by file extension.
    public static let standardLoaders: [any RuleFileLoader] = [SigmaFileLoader(), YaraFileLoader()]

    /// A rule file that was loaded.
    public struct RuleFile: Sendable, Hashable {
        public let path: String
        public let sha256: String
        public let kind: String
        public let rules: Int
        /// `rules load` options it was loaded with (YARA's `raw`), sorted.
        public let options: [String]
    }

    /// What one `load` call did.
    public struct LoadReport: Sendable {
        public var files: [RuleFile] = []
        public var loaded = 0
        public var problems: [RuleLoadProblem] = []
        /// Warnings about rules that loaded (`FILE:LINE: warning: …`).
        public var warnings: [String] = []
    }

    public let loaders: [any RuleFileLoader]
    public private(set) var rules: [LoadedRule] = []
    public private(set) var problems: [RuleLoadProblem] = []
    public private(set) var files: [RuleFile] = []
    /// Bumped on every change, so cached hunt results know to rerun.
    public private(set) var revision = 0

    public init(loaders: [any RuleFileLoader] = RuleLibrary.standardLoaders) { self.loaders = loaders }

    /// Extensions some loader reads, for messages.
    public var extensions: [String] { loaders.flatMap(\.extensions) }

    private func loader(for path: String) -> (any RuleFileLoader)? {
        let ext = (path as NSString).pathExtension.lowercased()
        return loaders.first { $0.extensions.contains(ext) }
    }

    /// Loads a rule file, or every rule file under a folder (recursively, hidden folders skipped, in path order).
    /// A file loaded again replaces its earlier rules. Throws only when the path cannot be used at all.
    /// `options` apply to every rule of the files' kind (YARA's `raw` widens the scan to every loaded file).
    @discardableResult
    public func load(_ path: String, options: Set<String> = []) throws -> LoadReport {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { throw RuleLoadError("no such file or folder: \(path)") }
        var paths: [String] = []
        if isDir.boolValue {
            let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            while let u = walker?.nextObject() as? URL {
                if loader(for: u.path) != nil, (try? u.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { paths.append(u.path) }
            }
            paths.sort()
            if paths.isEmpty { throw RuleLoadError("\(path): no rule files (\(extensions.map { "." + $0 }.joined(separator: ", "))) in this folder") }
        } else {
            guard loader(for: url.path) != nil else {
                throw RuleLoadError("\(path): unknown rule file type (exhunt loads \(extensions.map { "." + $0 }.joined(separator: ", ")))")
            }
            paths = [url.path]
        }
        var report = LoadReport()
        for p in paths {
            let f = try loadFile(p, options: options)
            report.files.append(f.file)
            report.loaded += f.file.rules
            report.problems += f.problems
            report.warnings += f.warnings
        }
        return report
    }

    /// Loads one file, replacing what an earlier load of the same path gave.
    public func loadFile(_ path: String, options: Set<String> = []) throws -> (file: RuleFile, problems: [RuleLoadProblem], warnings: [String]) {
        guard let loader = loader(for: path) else { throw RuleLoadError("\(path): unknown rule file type") }
        guard let data = FileManager.default.contents(atPath: path) else { throw RuleLoadError("cannot read \(path)") }
        let bytes = [UInt8](data)
        if files.contains(where: { $0.path == path }) { forget(file: path) }
        let result = loader.load(path: path, bytes: bytes, taken: ids[loader.kind] ?? [])
        var fileProblems = result.problems
        // A file that held nothing to load is said to, so `rules load` of it fails with a reason (reviewer: an
        // empty `.yml` loaded "0 rules" with exit status 0 and no word about the file).
        if result.rules.isEmpty && result.problems.isEmpty {
            fileProblems.append(RuleLoadProblem(file: path, line: nil, id: "", title: "", reason: "no rule in it", unsupported: false))
        }
        var accepted: [LoadedRule] = []
        for r in result.rules {
            if let other = placeOf[Self.key(r)] {
                // The same rule text reached through an include and from its own file: loaded once, not a duplicate.
                if other.source == r.source && other.line == r.line { continue }
                fileProblems.append(RuleLoadProblem(file: path, line: r.idLine ?? r.line, id: r.id, title: r.title,
                                                    reason: "id \(r.id) is already loaded from \(other.source):\(other.idLine)", unsupported: false))
            } else {
                accepted.append(r)
                placeOf[Self.key(r)] = (r.file, r.line, r.idLine ?? r.line, r.source)
                ids[r.kind, default: []].insert(r.id)
            }
        }
        rules += accepted
        problems += fileProblems
        let file = RuleFile(path: path, sha256: SHA256.hex(bytes), kind: loader.kind, rules: accepted.count, options: options.sorted())
        files.append(file)
        revision += 1
        return (file, fileProblems, result.warnings)
    }

    /// Where each loaded rule came from, by kind and id, and the ids loaded per kind: a folder of thousands of
    /// rules is checked for repeated ids by lookups, not by scanning (and copying) every rule per file.
    /// `source` is the file the rule is written in (`LoadedRule.definedIn`, else its file).
    private var placeOf: [String: (file: String, line: Int, idLine: Int, source: String)] = [:]
    private var ids: [String: Set<String>] = [:]
    private static func key(_ r: LoadedRule) -> String { r.kind + "\u{0}" + r.id }

    /// Removes a file's rules before it is loaded again (a file loaded again replaces its earlier rules).
    private func forget(file path: String) {
        for r in rules where r.file == path {
            placeOf[Self.key(r)] = nil
            ids[r.kind]?.remove(r.id)
        }
        rules.removeAll { $0.file == path }
        problems.removeAll { $0.file == path }
        files.removeAll { $0.path == path }
    }

    /// Drops every loaded rule.
    public func clear() {
        rules = []
        placeOf = [:]
        ids = [:]
        problems = []
        files = []
        revision += 1
    }

    /// The detection rules that run the loaded rules (empty when none are loaded).
    public var detectionRules: [any DetectionRule] {
        loaders.flatMap { l in
            let mine = rules.filter { $0.kind == l.kind }
            let options = Set(files.filter { $0.kind == l.kind }.flatMap(\.options))
            return mine.isEmpty ? [] : l.detectionRules(mine, options: options)
        }
    }
}

/// A rule path that cannot be loaded at all.
public struct RuleLoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

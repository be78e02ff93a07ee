import CYara
import ExchangeEvidence
import Foundation

/// One problem the YARA compiler reported, with the file and line it gave.
public struct YaraDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public let isWarning: Bool
    public var description: String { "\(file):\(line): \(isWarning ? "warning: " : "")\(message)" }
}

/// A rule file that compiled: where it was read, the SHA-256 of the bytes compiled, and its rule names.
public struct YaraSourceFile: Sendable, Hashable {
    public let path: String
    public let sha256: String
    public let rules: [String]
}

/// Compiles YARA rule files. Each file is compiled alone first, so one broken file is reported with its file and
/// line (libyara's compiler callback gives both) and the others still load; the good files are then compiled
/// together, each in its own namespace so two files may reuse a rule name.
public enum YaraCompiler {
    /// The external variables every scan defines (see `help rules`): rules may test them in conditions.
    static let externals = ["sha256", "filename", "filepath", "extension", "server", "kind"]

    public struct Result {
        public let ruleSet: YaraRuleSet?
        public let files: [YaraSourceFile]
        /// Errors of files that were not loaded, and warnings of those that were.
        public let diagnostics: [YaraDiagnostic]
        /// Files that did not compile (their errors are in `diagnostics`).
        public let rejected: [String]
        /// Files the compiled ones read through `include`.
        let includes: [YaraIncludes.File]
    }

    public static func compile(files paths: [String]) throws -> Result {
        var sources: [(path: String, bytes: [UInt8])] = []
        var unreadable: [String] = []
        for path in paths {
            if let data = FileManager.default.contents(atPath: path) { sources.append((path, [UInt8](data))) } else { unreadable.append(path) }
        }
        let result = try compile(sources: sources)
        return Result(ruleSet: result.ruleSet, files: result.files,
                      diagnostics: unreadable.map { YaraDiagnostic(file: $0, line: 0, message: "cannot read the file", isWarning: false) } + result.diagnostics,
                      rejected: unreadable + result.rejected, includes: result.includes)
    }

    /// Compiles rule sources already read (`path` names them in diagnostics and namespaces).
    public static func compile(sources: [(path: String, bytes: [UInt8])]) throws -> Result {
        try YaraLibrary.start()
        var good: [(path: String, sha256: String, text: [UInt8])] = []
        var diagnostics: [YaraDiagnostic] = []
        var rejected: [String] = []
        var includes: [YaraIncludes.File] = []
        for (path, bytes) in sources {
            let alone = try build([(path, bytes)])
            diagnostics += alone.diagnostics
            if alone.rules == nil { rejected.append(path); continue }
            includes += alone.includes.filter { !includes.contains($0) }
            good.append((path, SHA256.hex(bytes), bytes))
        }
        guard !good.isEmpty else { return Result(ruleSet: nil, files: [], diagnostics: diagnostics, rejected: rejected, includes: includes) }
        let all = try build(good.map { ($0.path, $0.text) })
        guard let rules = all.rules else {
            // Each compiled alone; together they clash (should not happen with one namespace per file).
            throw YaraError(all.diagnostics.filter { !$0.isWarning }.map(\.description).joined(separator: "; "))
        }
        let set = YaraRuleSet(rules, hashOnly: HashOnlyRules.find(in: good.map { String(decoding: $0.text, as: UTF8.self) }))
        var files: [YaraSourceFile] = []
        for (i, g) in good.enumerated() {
            files.append(YaraSourceFile(path: g.path, sha256: g.sha256, rules: set.ruleNames(namespace: namespace(i))))
        }
        return Result(ruleSet: set, files: files, diagnostics: diagnostics, rejected: rejected, includes: includes)
    }

    static func namespace(_ i: Int) -> String { "f\(i)" }

    /// Compiles the sources into one rule set, or returns nil rules with the errors.
    private static func build(_ sources: [(path: String, text: [UInt8])]) throws -> (rules: OpaquePointer?, diagnostics: [YaraDiagnostic], includes: [YaraIncludes.File]) {
        var compiler: UnsafeMutablePointer<YR_COMPILER>?
        guard yr_compiler_create(&compiler) == ERROR_SUCCESS, let compiler else { throw YaraError("libyara: out of memory") }
        defer { yr_compiler_destroy(compiler) }
        let includes = YaraIncludes()
        let sink = DiagnosticSink(includes)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        includes.install(on: compiler)
        // libyara names the included file a problem is in (as its directive wrote it), nothing for the source itself.
        yr_compiler_set_callback(compiler, { level, name, line, _, message, user in
            let sink = Unmanaged<DiagnosticSink>.fromOpaque(user!).takeUnretainedValue()
            let file = name.flatMap { sink.includes.path(named: String(cString: $0)) } ?? sink.current
            sink.items.append(YaraDiagnostic(file: file, line: Int(line), message: message.map { String(cString: $0) } ?? "error",
                                             isWarning: level == YARA_ERROR_LEVEL_WARNING))
        }, context)
        for name in externals { yr_compiler_define_string_variable(compiler, name, "") }
        var failed = false
        for (i, source) in sources.enumerated() {
            sink.current = source.path
            includes.current = source.path
            var text = source.text
            text.append(0)
            let errors = text.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { yr_compiler_add_string(compiler, $0.baseAddress, namespace(i)) }
            }
            if errors > 0 { failed = true; break }
        }
        if failed { return (nil, sink.items.map { includes.explain($0) }, includes.files) }
        var rules: UnsafeMutablePointer<YR_RULES>?
        guard yr_compiler_get_rules(compiler, &rules) == ERROR_SUCCESS, let rules else {
            return (nil, sink.items + [YaraDiagnostic(file: sources.last?.path ?? "", line: 0, message: "libyara could not build the rules", isWarning: false)],
                    includes.files)
        }
        return (OpaquePointer(rules), sink.items, includes.files)
    }

    private final class DiagnosticSink {
        let includes: YaraIncludes
        var current = ""
        var items: [YaraDiagnostic] = []
        init(_ includes: YaraIncludes) { self.includes = includes }
    }
}

import ExchangeEvidence
import Foundation
import Testing
@testable import InvestigationShell

/// Golden files under `Tests/InvestigationShellTests/Golden/`. `RECORD_GOLDEN=1 swift test` rewrites them;
/// otherwise a missing or different file fails the test, so a change that breaks a saved investigation or a
/// lesson shows up in CI.
enum Golden {
    static let folder = ShellHarness.repoRoot.appendingPathComponent("Tests/InvestigationShellTests/Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    /// Makes output independent of where and when it ran: the checkout and temporary paths, the time of
    /// the run, durations and memory figures.
    static func normalize(_ text: String, temporary: URL? = nil) -> String {
        var s = text.replacingOccurrences(of: ShellHarness.repoRoot.path, with: "<repo>")
        if let temporary { s = s.replacingOccurrences(of: temporary.path, with: "<tmp>") }
        let now = Date().timeIntervalSince1970
        let days = [now - 86_400, now].map { Timestamp.iso(Int64($0 * 1000)).prefix(10) }
        let rules: [(String, String)] = days.map { (#"\#($0)T[0-9:.]+Z"#, "<now>") }        // times of the run
            + days.map { ("as of \($0)", "as of <today>") } + [                              // check-build's `now`
            (#"index memory: .*"#, "index memory: <n>"),
            (#""index_bytes": [0-9]+"#, "\"index_bytes\": <n>"),
            (#"\b[0-9]+(\.[0-9]+)? ?(ms|s)\b"#, "<duration>"),
        ]
        for (pattern, replacement) in rules {
            s = s.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return s
    }

    /// Compares `actual` with the golden file `name` (or writes it when recording).
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = folder.appendingPathComponent(name)
        if recording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden file Golden/\(name) is missing; record it with RECORD_GOLDEN=1 swift test", sourceLocation: sourceLocation)
            return
        }
        if expected == actual { return }
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        let i = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        Issue.record("""
            output differs from Golden/\(name) at line \(i + 1):
              expected: \(i < e.count ? e[i] : "<end>")
              actual:   \(i < a.count ? a[i] : "<end>")
            If the change is intended, re-record with RECORD_GOLDEN=1 swift test.
            """, sourceLocation: sourceLocation)
    }

    /// The command names a command file uses that this build does not register (variables left as written).
    static func missingCommands(in lines: [String], registry: CommandRegistry = .standard) -> [String] {
        var missing: [String] = []
        for line in lines {
            guard let commands = try? Tokenizer.commands(line, variables: { "$" + $0 }) else { continue }
            for words in commands {
                guard let name = words.first else { continue }
                let known = registry.commands.contains { $0.name == name || $0.aliases.contains(name) }
                if !known && !missing.contains(name) { missing.append(name) }
            }
        }
        return missing
    }

    /// Skips the running test, saying which commands it waits for.
    static func skip(_ what: String, missing: [String]) throws {
        let message = "skipped \(what): needs the command(s) \(missing.joined(separator: ", ")), not registered in this build"
        print(message)
        try Test.cancel(Comment(rawValue: message))
    }
}

import Foundation
import TestSupport

/// Runs the built `exhunt` binary, which SwiftPM puts beside the test bundle (`.build/debug`).
enum ExhuntProcess {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The product folder: `Bundle.main.bundleURL` is it for a SwiftPM test run; the test runner's own
    /// path is the fallback.
    static var productsFolder: URL {
        let bundle = Bundle.main.bundleURL
        if FileManager.default.isExecutableFile(atPath: bundle.appendingPathComponent("exhunt").path) { return bundle }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static var binary: URL { productsFolder.appendingPathComponent("exhunt") }

    typealias Result = Subprocess.Result

    /// Runs exhunt with `arguments`, feeding `stdin`, in the repository root (so `help/` and `load demo` are found),
    /// with `NO_COLOR` set and a history file of its own; a run longer than `timeout` is stopped (status -1).
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:],
                    timeout: Double = 60, executable: URL? = nil, prefix: [String] = [],
                    directory: URL? = nil) throws -> Result {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        var env: [String: String?] = ["NO_COLOR": "1", "EXHUNT_HISTORY": history.path]
        for (k, v) in environment { env[k] = v }
        return try Subprocess.run((executable ?? binary).path, prefix + arguments, stdin: stdin, environment: env,
                                  directory: directory ?? repoRoot, timeout: timeout)
    }

    /// Runs exhunt with its stdout piped into the shell command `reader` (e.g. `head -c 10`), as `sh` would;
    /// the status is exhunt's own (bash's PIPESTATUS), stderr exhunt's.
    static func runPiped(_ arguments: [String], into reader: String, timeout: Double = 60) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let line = ([binary.path] + arguments).map(quote).joined(separator: " ")
            + " 2>\(quote(dir.appendingPathComponent("err").path)) | \(reader) >/dev/null; echo ${PIPESTATUS[0]}"
        let r = try run([], environment: [:], timeout: timeout, executable: URL(fileURLWithPath: "/bin/bash"), prefix: ["-c", line])
        let err = (try? String(contentsOf: dir.appendingPathComponent("err"), encoding: .utf8)) ?? ""
        return Result(status: Int32(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, stdout: "", stderr: err)
    }
}

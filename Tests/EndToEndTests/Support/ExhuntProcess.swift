import Foundation

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

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs exhunt with `arguments`, feeding `stdin`, in the repository root (so `help/` and `load demo` are found).
    /// Output goes through files, so neither stream can fill a pipe and block the child; a run longer than
    /// `timeout` is killed and reported as status -1.
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:],
                    timeout: Double = 60, executable: URL? = nil, prefix: [String] = [],
                    directory: URL? = nil) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        try stdin.write(to: inURL, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = executable ?? binary
        p.arguments = prefix + arguments
        p.currentDirectoryURL = directory ?? repoRoot
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["EXHUNT_HISTORY"] = dir.appendingPathComponent("history").path
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardInput = try FileHandle(forReadingFrom: inURL)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }     // waitUntilExit() can hang under Swift Testing
        try p.run()
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            _ = exited.wait(timeout: .now() + 5)
            return Result(status: -1, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                          stderr: "timed out after \(timeout) s")
        }
        return Result(status: p.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
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

import Foundation

/// Runs a helper program from a test (exhunt itself, tmux, Chromium, python3) so that no test can hang the run.
///
/// Output goes through files, so neither stream can fill a pipe and block the child, and nothing waits on
/// `waitUntilExit()` (which can hang under Swift Testing): the termination handler signals a semaphore that is
/// waited on with a deadline. A program still running at the deadline is terminated and reported as status -1,
/// so a hang becomes a failing (or skipping) test with a message, never a CI run that stops answering.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// True when the program was stopped at the deadline.
        public var timedOut: Bool { status == -1 }

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `executable` with `arguments`; `environment` entries are added to (or, with a nil value, removed
    /// from) this process's environment. A bare name is looked up on `PATH` through `/usr/bin/env`.
    public static func run(_ executable: String, _ arguments: [String], stdin: String = "",
                           environment: [String: String?] = [:], directory: URL? = nil,
                           timeout: Double = 60) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out"),
            errURL = dir.appendingPathComponent("err")
        try stdin.write(to: inURL, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        if executable.contains("/") {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [executable] + arguments
        }
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardInput = try FileHandle(forReadingFrom: inURL)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        try p.run()
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            if exited.wait(timeout: .now() + 5) == .timedOut { kill(p.processIdentifier, SIGKILL) }
            return Result(status: -1, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                          stderr: "\(executable) timed out after \(Int(timeout)) s")
        }
        return Result(status: p.terminationStatus,
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}

import Foundation
import TestSupport
import InvestigationShell
import Testing

/// The case file under real processes: a shell killed right after `mark` keeps the mark, and two
/// shells marking at once leave a sound file with every mark.
@Suite struct CaseProcessTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    /// The built `exhunt`, next to the test bundle.
    static var executable: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("exhunt")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        let fallback = TestShell.repoRoot.appendingPathComponent(".build/debug/exhunt")
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }

    static func process(_ args: [String], in dir: URL) throws -> (Process, Pipe, Pipe, DispatchSemaphore) {
        let exe = try #require(executable, "the exhunt executable was not built")
        let p = Process()
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }     // waitUntilExit() can hang under Swift Testing
        p.executableURL = exe
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardInput = input
        p.standardError = out            // status lines (`marked …`) go to stderr when stdout is a pipe
        try p.run()
        return (p, out, input, exited)
    }

    @Test func markSurvivesSIGKILL() throws {
        guard Self.executable != nil else { return }
        let dir = try CaseFileTests.folder()
        let path = dir.appendingPathComponent("killed.case").path
        // The last command blocks reading stdin, so the process is alive, idle, right after the mark.
        let (p, out, input, exited) = try Self.process(["-c", "load \(Self.training)", "-c", "case new \(path)",
                                                "-c", "mark 398 as malicious --note 'before the kill'", "-c", "source /dev/stdin"], in: dir)
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while !seen.contains("marked 1 event"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("marked 1 event malicious"))
        kill(p.processIdentifier, SIGKILL)
        try #require(exited.wait(timeout: .now() + 30) == .success, "exhunt did not end after SIGKILL")
        try? input.fileHandleForWriting.close()
        #expect(p.terminationReason == .uncaughtSignal)

        let t = TestShell()
        try t.run("case open \(path); load \(Self.training)")
        let marks = try CaseFileTests.marks(t)
        #expect(marks.count == 1)
        #expect(marks.first?["event"] as? Int == 398 && marks.first?["note"] as? String == "before the kill")
    }

    @Test func twoProcessesMarkingAtOnce() throws {
        guard Self.executable != nil else { return }
        let dir = try CaseFileTests.folder()
        let path = dir.appendingPathComponent("busy.case").path
        try TestShell().run("case new \(path)")
        func marks(_ range: Range<Int>, _ label: String) -> String {
            range.map { "mark \($0) as \(label)" }.joined(separator: "\n")
        }
        let scriptA = dir.appendingPathComponent("a.txt"), scriptB = dir.appendingPathComponent("b.txt")
        try ("load \(Self.training)\ncase open \(path)\n" + marks(0..<60, "reviewed")).write(to: scriptA, atomically: true, encoding: .utf8)
        try ("load \(Self.training)\ncase open \(path)\n" + marks(60..<120, "suspicious")).write(to: scriptB, atomically: true, encoding: .utf8)
        let exe = try #require(Self.executable, "the exhunt executable was not built").path
        let status = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 2)   // one slot per thread
        defer { status.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { k in         // both shells run at once
            status[k] = (try? Subprocess.run(exe, ["-f", [scriptA, scriptB][k].path], directory: dir, timeout: 300))?.status ?? -2
        }
        #expect(Array(status) == [0, 0])
        let t = TestShell()
        try t.run("case open \(path)")           // open checks the file (quick_check)
        #expect(try CaseFileTests.marks(t).count == 120)
        let log = try JSONSerialization.jsonObject(with: Data(try t.run("case log --limit 1000 --json").utf8)) as! [[String: Any]]
        #expect(log.filter { ($0["command"] as? String)?.hasPrefix("mark ") == true }.count == 120)
    }
}

import Foundation
import Testing

/// A loaded (mapped) file truncated during a session: the session says so, and nothing crashes.
@Suite struct EvidenceChangeTests {
    static let header = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,UserAgent,HttpStatus\r\n"

    func session() throws -> (TestShell, String, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-change-\(UUID().uuidString)")
        let file = dir.appendingPathComponent("EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var text = Self.header
        for i in 0..<400 {
            text += "2021-03-03T06:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)).000Z,r\(i),/ecp/y.js,165.232.154.116,"
                + String(repeating: "ExchangeServicesClient/0.0.0.0 ", count: 3) + "\(i),200\r\n"
        }
        try Data(text.utf8).write(to: file)
        let shell = TestShell()
        try shell.run("load \(dir.path) --quiet")
        return (shell, dir.path, file)
    }

    @Test func showAfterTruncationWarnsAndShowsWhatIsLeft() throws {
        let (shell, _, file) = try session()
        #expect(truncate(file.path, 300) == 0)
        let out = try shell.run("show 399 --json")
        #expect(out.contains("\"event\": 399"))
        #expect(shell.output.stderr.contains("warning: EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG truncated from "))
        #expect(shell.output.stderr.contains("to 300 bytes since it was loaded: lines past byte 300 now read as empty; its recorded SHA-256 no longer describes it"))
        let problems = try shell.run("sources --problems")
        #expect(problems.contains("truncated from"))
        // The event says it too, where its raw line now reads as zeros (reviewer).
        #expect(try shell.run("show 399").contains("the time and the values rules read were read at load; the fields and raw line below are the file as it reads now"))
        #expect(out.contains("\"changed_since_load\": \"truncated from"))
    }

    @Test func rawScansAndRulesAfterTruncationDoNotCrashAndWarnOnce() throws {
        let (shell, _, file) = try session()
        #expect(truncate(file.path, 0) == 0)
        _ = try shell.run("grep-ioc --raw")
        _ = try shell.run("hunt")
        _ = try shell.run("timeline --contains y.js --limit 5")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-change-out-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: out) }
        try shell.run("export timeline \(out.path)")
        let warnings = shell.output.stderr.components(separatedBy: "warning: ").count - 1
        #expect(warnings == 1, "each changed file is reported once: \(shell.output.stderr)")
        // The export's provenance names the file, whose lines it may have read as they are now.
        let provenance = try String(contentsOfFile: out.path + ".provenance.json", encoding: .utf8)
        #expect(provenance.contains("\"changed_since_load\"") && provenance.contains("truncated from"), "\(provenance)")
    }
}

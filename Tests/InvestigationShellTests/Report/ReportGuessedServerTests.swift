import Foundation
@testable import InvestigationShell
import Testing

/// A log that names no server, filed under the server most logs of its folder name: the verdict of that server
/// rests partly on a guess, and the report says so where the verdict is given.
@Suite struct ReportGuessedServerTests {
    @Test func theVerdictSaysALogWasFiledByGuess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-guess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("flat"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func log(_ computer: String?) -> String {
            "#Software: Microsoft Internet Information Services 10.0\r\n"
                + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status"
                + (computer == nil ? "" : " s-computername") + "\r\n"
                + "2021-03-03 06:49:41 10.0.0.5 GET /owa/ - 443 - 198.51.100.4 Mozilla/5.0 200" + (computer.map { " \($0)" } ?? "") + "\r\n"
        }
        for (name, host) in [("a", "EX01"), ("b", "EX01"), ("c", "EX02")] {
            try Data(log(host).utf8).write(to: dir.appendingPathComponent("flat/u_ex21030\(name).log"))
        }
        try Data(log(nil).utf8).write(to: dir.appendingPathComponent("flat/u_ex210309.log"))
        let t = TestShell()
        let loaded = try t.shown("load \(dir.appendingPathComponent("flat").path)")
        #expect(loaded.contains("warning: 1 log names no server and was filed under EX01 by a guess, beside other servers' logs "
                                + "(u_ex210309.log): the server most logs of its folder name"), "\(loaded)")
        let report = dir.appendingPathComponent("r.md")
        try t.run("report \(report.path)")
        let md = try String(contentsOf: report, encoding: .utf8)
        let ex01 = try #require(md.split(separator: "\n").first { $0.hasPrefix("| EX01 |") })
        #expect(ex01.contains("1 log names no server and was filed here because most logs in its folder name EX01, "
                              + "beside other servers' logs (u\\_ex210309.log)"), "\(ex01)")
        #expect(ex01.contains("it counts in this server's log coverage"), "\(ex01)")
        #expect(ex01.contains("no finding rests on it"), "\(ex01)")
        let ex02 = try #require(md.split(separator: "\n").first { $0.hasPrefix("| EX02 |") })
        #expect(!ex02.contains("names no server"))
    }

    /// A finding whose events lie in the guessed log is named, so the analyst knows which part of the verdict
    /// may belong to another server.
    @Test func theVerdictNamesTheFindingsThatRestOnAGuessedLog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-guess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("flat"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func log(_ computer: String?, _ stem: String) -> String {
            "#Software: Microsoft Internet Information Services 10.0\r\n"
                + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status"
                + (computer == nil ? "" : " s-computername") + "\r\n"
                + "2021-03-05 03:06:27 10.0.0.5 GET \(stem) - 443 - 139.162.202.236 Mozilla/5.0 200" + (computer.map { " \($0)" } ?? "") + "\r\n"
        }
        for (name, host) in [("a", "EX01"), ("b", "EX01"), ("c", "EX02")] {
            try Data(log(host, "/owa/").utf8).write(to: dir.appendingPathComponent("flat/u_ex21030\(name).log"))
        }
        // HelseCERT's web-shell request, in the log that names no server.
        try Data(log(nil, "/owa/auth/RedirSuiteServerProxy.aspx").utf8).write(to: dir.appendingPathComponent("flat/u_ex210309.log"))
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("flat").path)")
        let report = dir.appendingPathComponent("r.md")
        try t.run("report \(report.path)")
        let md = try String(contentsOf: report, encoding: .utf8)
        let ex01 = try #require(md.split(separator: "\n").first { $0.hasPrefix("| EX01 |") })
        #expect(try ex01.firstMatch(of: Regex("F[0-9]+ rests on it")) != nil, "\(ex01)")
        #expect(!ex01.contains("no finding rests"))
    }
}

/// Times read by a guess (local times with no zone read as UTC) are said in the server's verdict, with the findings
/// dated by them (reviewer: the report showed a shell on disk 49 minutes after its use, the guess unsaid).
@Suite struct ReportGuessedTimesTests {
    @Test func theVerdictSaysWhichTimesAreAGuess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-times-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let listing = dir.appendingPathComponent("EX05/listing/owa-auth.txt")
        try FileManager.default.createDirectory(at: listing.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ("\r\n\r\n    Directory: C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\r\n\r\n\r\n"
            + "Mode                 LastWriteTime         Length Name\r\n----                 -------------         ------ ----\r\n"
            + "-a----        05.03.2021     03:55           1893 RedirSuiteServerProxy.aspx\r\n"
            + "-a----        23.02.2021     10:15           4210 logon.aspx\r\n\r\n").write(to: listing, atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(dir.appendingPathComponent("EX05").path)")
        let report = dir.appendingPathComponent("r.md")
        try t.run("report \(report.path)")
        let md = try String(contentsOf: report, encoding: .utf8)
        let ex05 = try #require(md.split(separator: "\n").first { $0.hasPrefix("| EX05 |") })
        #expect(ex05.contains("the times of 1 file here are a guess (listing/owa-auth.txt)") && ex05.contains("F1 rests on it"), "\(ex05)")
        // Given the zone, they are no guess.
        let zoned = TestShell()
        try zoned.run("load \(dir.appendingPathComponent("EX05").path) --local-time Europe/Oslo")
        try zoned.run("report \(report.path) --force")
        #expect(!(try String(contentsOf: report, encoding: .utf8)).contains("are a guess"))
    }
}

import Foundation
@testable import InvestigationShell
import Testing

/// The report's steps for ProxyShell and ProxyNotShell findings, on the detection fixtures of those attacks.
@Suite struct RemediationStepsTests {
    @Test func proxyShellAndProxyNotShellFindingsCallForTheirOwnSteps() throws {
        let out = CapturedOutput()
        let shell = Shell(session: Session(output: out, help: HelpLibrary(root: HuntCommandTests.repo.appendingPathComponent("help"))))
        for n in ["proxyshell", "proxynotshell-bypass", "cmdlet-shapes"] {
            try shell.execute("load '\(HuntCommandTests.fixtures.appendingPathComponent(n).path)' --quiet")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-steps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.md").path
        let before = out.stdout.count
        try shell.execute("report '\(path)' --json")
        let summary = try JSONSerialization.jsonObject(with: Data(String(out.stdout.dropFirst(before)).utf8)) as! [String: Any]
        let ids = summary["remediation"] as! [String]
        for id in ["remove-mailbox-exports", "close-remote-powershell", "reset-abused-account"] {
            #expect(ids.contains(id), "missing step \(id)")
        }
        let md = try String(contentsOfFile: path, encoding: .utf8)
        let exports = try #require(md.range(of: "**Remove the mailbox export requests"))
        let reasons = md[exports.upperBound...].prefix(2000)
        #expect(reasons.contains("EX03: finding") && reasons.contains("exchange.mailbox-export-web"))
        // The account step names the server whose requests authenticated as a mailbox user.
        let account = try #require(md.range(of: "**Reset the accounts the attacker used or changed.**"))
        let accountReasons = md[account.upperBound...].prefix(1500)
        #expect(accountReasons.contains("EX04: finding") && accountReasons.contains("chain.proxynotshell"))
        // Commands and patterns are code spans, copied as written: `.*`, not `.\*`.
        #expect(md.contains("`(?=.*autodiscover)(?=.*powershell)`") && md.contains("`{UrlDecode:{REQUEST_URI}}`"))
        #expect(md.contains("`Get-MailboxExportRequest | fl Name,Mailbox,FilePath,Status,WhenCreated`"))
    }

    /// An archive in a vendor's folder (a low finding) does not call for "find out what was taken, tell the people
    /// concerned" (reviewer); an archive elsewhere under ProgramData (medium) does.
    @Test func aLowArchiveCallsForNoExfiltrationStep() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-steps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func steps(_ path: String) throws -> [String] {
            let listing = dir.appendingPathComponent("\(UUID().uuidString)/EX05/listings/get-childitem.csv")
            try FileManager.default.createDirectory(at: listing.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ("#TYPE Selected.System.IO.FileInfo\r\n\"FullName\",\"Length\",\"CreationTimeUtc\",\"LastWriteTimeUtc\"\r\n"
                 + "\"\(path)\",\"80211\",\"3/4/2021 2:10:00 AM\",\"3/4/2021 2:10:00 AM\"\r\n").write(to: listing, atomically: true, encoding: .utf8)
            let t = TestShell()
            try t.run("load '\(listing.deletingLastPathComponent().deletingLastPathComponent().path)' --quiet")
            let summary = try JSONSerialization.jsonObject(with: Data(try t.run("report '\(dir.path)/\(UUID().uuidString).md' --json").utf8)) as! [String: Any]
            return summary["remediation"] as! [String]
        }
        #expect(try !steps(#"C:\ProgramData\McAfee\Common Framework\Backup\vss_manifests.zip"#).contains("look-for-exfiltration"))
        #expect(try steps(#"C:\ProgramData\it.zip"#).contains("look-for-exfiltration"))
    }
}

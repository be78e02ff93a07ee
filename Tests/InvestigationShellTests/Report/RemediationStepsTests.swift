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
}

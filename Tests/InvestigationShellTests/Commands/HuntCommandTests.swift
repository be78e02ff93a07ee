import ExchangeDetection
import Foundation
@testable import InvestigationShell
import Testing

/// `hunt`, `rules`, `export proxylogon` and `help rules/ID`, driven through the shell as a user types them.
@Suite struct HuntCommandTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/ExchangeDetectionTests/Fixtures")

    let out = CapturedOutput()
    let shell: Shell

    init() {
        shell = Shell(session: Session(output: out, help: HelpLibrary(root: Self.repo.appendingPathComponent("help"))))
    }

    func load(_ names: String...) throws {
        for n in names { try shell.execute("load '\(Self.fixtures.appendingPathComponent(n).path)'") }
    }

    func json(_ line: String) throws -> [String: Any] {
        let before = out.stdout.count
        try shell.execute(line)
        let text = String(out.stdout.dropFirst(before))
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func huntJSONHasTheDocumentedKeysAndTheChain() throws {
        try load("proxylogon", "iis", "hostlogs", "files")
        let doc = try json("hunt --json")
        let findings = doc["findings"] as! [[String: Any]]
        #expect(!findings.isEmpty)
        for f in findings {
            #expect(Set(f.keys) == ["id", "rule", "title", "cves", "severity", "server", "time", "events", "file", "line", "summary"])
        }
        let ids = findings.compactMap { $0["id"] as? String }
        #expect(Set(ids) == Set((1...findings.count).map { "F\($0)" }), "every finding has its own F number")
        let chain = try #require(findings.first { $0["rule"] as? String == "chain.proxylogon" })
        #expect(chain["severity"] as? String == "critical")
        #expect(chain["time"] as? String == "2021-03-03T06:48:10.001Z")
        #expect((chain["summary"] as? String)?.contains("attacker IPs: 130.255.189.21") == true)
        #expect((doc["coverage"] as? [[String: Any]])?.isEmpty == false)
    }

    /// Findings are rendered on all cores in blocks: past a few blocks of them, the text lists every finding once,
    /// in the order and with the ids the JSON gives, per server and with `--sort time`.
    @Test func manyFindingsListInTheOrderTheJSONGives() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-many-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // One POST per client address: each is its own burst, so its own finding.
        let count = OrderedBlocks.block * 2 + 44
        var log = """
            #Software: Microsoft Internet Information Services 10.0
            #Version: 1.0
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken

            """
        for i in 0..<count {
            log += "2021-03-03 \(String(format: "%02d:%02d:%02d", 6 + i / 3600, i / 60 % 60, (i * 7) % 60)) 10.0.0.11 POST /ecp/y\(i).js - 443 - "
                + "198.51.\(i / 250).\(i % 250 + 1) python-requests/2.25.1 - 200 0 0 5\n"
        }
        try log.write(to: logs.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let rule = """
            title: POST to a script under ecp
            id: 5d0c2a4e-6f7b-4c1d-9e8f-a1b2c3d4e5f6
            logsource:
              category: webserver
            detection:
              selection:
                cs-method: POST
                cs-uri-query|contains: '/ecp/'
              condition: selection
            level: medium
            """
        try rule.write(to: dir.appendingPathComponent("ecp_post.yml"), atomically: true, encoding: .utf8)
        try shell.execute("load '\(logs.path)' --server EX09")
        try shell.execute("rules load '\(dir.appendingPathComponent("ecp_post.yml").path)'")
        for sort in ["", " --sort time"] {
            let ids = (try json("hunt --rule sigma:5d0c2a4e-6f7b-4c1d-9e8f-a1b2c3d4e5f6\(sort) --json")["findings"] as! [[String: Any]])
                .compactMap { $0["id"] as? String }
            #expect(ids.count == count)
            let before = out.stdout.count
            try shell.execute("hunt --rule sigma:5d0c2a4e-6f7b-4c1d-9e8f-a1b2c3d4e5f6\(sort)")
            // The id is the word after the severity on each finding's first line.
            let listed = String(out.stdout.dropFirst(before)).split(separator: "\n")
                .filter { $0.hasPrefix("  MEDIUM ") }
                .map { String($0.split(separator: " ")[1]) }
            #expect(listed == ids)
        }
    }

    /// A loaded rule reading a field these IIS logs do not record (no `cs(Cookie)` in `#Fields`) ran, but cannot
    /// match: `hunt`, its JSON and `sources` say so, so that its silence is not read as a clean server.
    @Test func aRuleOnAFieldTheLogsNeverHoldIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-blind-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rule = dir.appendingPathComponent("cookie.yml")
        try """
            title: ProxyLogon cookie
            id: 6e1d2b3c-4a5f-4b6c-8d7e-9f0a1b2c3d4e
            logsource:
              category: webserver
            detection:
              selection:
                cs-cookie|contains: 'X-BEResource='
              condition: selection
            level: high
            """.write(to: rule, atomically: true, encoding: .utf8)
        try load("iis")
        try shell.execute("rules load '\(rule.path)'")
        try shell.execute("hunt --rule sigma:6e1d2b3c-4a5f-4b6c-8d7e-9f0a1b2c3d4e")
        #expect(out.stdout.contains("EX01: no findings of sigma:6e1d2b3c-4a5f-4b6c-8d7e-9f0a1b2c3d4e"))
        #expect(out.stdout.contains(
            "  not covered: IIS logs never hold a value for cs-cookie (cs(Cookie)): sigma:6e1d2b3c-4a5f-4b6c-8d7e-9f0a1b2c3d4e cannot match\n"),
            "\(out.stdout)")
        let gaps = try json("hunt --json")["coverage_gaps"] as! [[String: Any]]
        let gap = try #require(gaps.first { ($0["gaps"] as? [String]) == ["fields-absent"] })
        #expect(gap["server"] as? String == "EX01")
        let sources = try #require(gap["sources"] as? [[String: Any]])
        #expect(sources.count == 1 && sources[0]["selection"] as? String == "IIS logs"
                && sources[0]["fields"] as? [String] == ["cs-cookie (cs(Cookie))"])
        #expect(gap["rules"] as? [String] == ["sigma:6e1d2b3c-4a5f-4b6c-8d7e-9f0a1b2c3d4e"] && gap["could_run"] as? Bool == true)
        try shell.execute("sources")
        #expect(out.stdout.contains("EX01: IIS logs never hold a value for cs-cookie (cs(Cookie)): 1 rule cannot match (sigma:6e1d2b3c"))
    }

    @Test func huntFiltersByRuleAndSeverityAndGroupsPerServer() throws {
        try load("proxylogon")
        try shell.execute("hunt --rule proxylogon.scanner-probe")
        #expect(out.stdout.contains("EX01: 1 finding (1 low)"))
        #expect(out.stdout.contains("LOW      F10  2021-03-07 15:04:04  proxylogon.scanner-probe"), "ids count all findings in time order")
        #expect(out.stdout.contains("ServerInfo~localhost/ecp/default.flt?"))
        let high = try json("hunt --min-severity high --json")["findings"] as! [[String: Any]]
        #expect(high.allSatisfy { ["high", "critical"].contains($0["severity"] as? String) })
        #expect(!high.isEmpty)
        let byTime = try json("hunt --sort time --json")["findings"] as! [[String: Any]]
        let times = byTime.compactMap { $0["time"] as? String }
        #expect(times == times.sorted())
    }

    /// Ctrl-C during the rules: nothing is listed (no pager opens on a result the user asked to stop), the
    /// command fails as interrupted, and the finished hunt is kept for the next one.
    @Test func interruptedHuntListsNothing() throws {
        try load("proxylogon")
        shell.session.isCancelled = { true }
        #expect(throws: ShellError.self) { try shell.execute("hunt") }
        #expect(out.stdout.isEmpty)
        shell.session.isCancelled = { false }
        try shell.execute("hunt")
        #expect(out.stdout.contains("CRITICAL"))
    }

    @Test func unknownRuleIsAnError() throws {
        try load("proxylogon")
        #expect(throws: ShellError.self) { try shell.execute("hunt --rule nope.nothing") }
    }

    @Test func quietServerGetsTheCoverageSentence() throws {
        let benign = Self.repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx/application-benign-no-crc32.evtx")
        guard FileManager.default.fileExists(atPath: benign.path) else { print("skipped: \(benign.path) absent"); return }
        try shell.execute("load '\(benign.path)' --server EX09")
        try shell.execute("hunt")
        #expect(out.stdout.contains("EX09: no findings"))
        #expect(out.stdout.contains("not covered: Application event logs start 2021-03-31, after ProxyLogon was first seen (2021-01-03)"))
    }

    /// The timeline's message for event kinds whose key data are not their first values: Sysmon 10 (the process
    /// access an LSASS dump begins with) names the source, the target and the access rights.
    @Test func processAccessMessageNamesSourceTargetAndAccess() throws {
        let fixture = Self.repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx/lsass-dump-comsvcs-minidump-sysmon.evtx")
        guard FileManager.default.fileExists(atPath: fixture.path) else { print("skipped: \(fixture.path) absent"); return }
        try shell.execute("load '\(fixture.path)' --server EX09 --quiet; timeline --field EventID=10 --json")
        #expect(out.stdout.contains(#""message":"EventID 10 Microsoft-Windows-Sysmon: SourceImage=C:\\Windows\\System32\\rundll32.exe TargetImage=C:\\Windows\\system32\\lsass.exe GrantedAccess=0x1fffff""#), "\(out.stdout)")
        // The access mask as Event Viewer pads it finds the same event.
        let before = out.stdout.count
        try shell.execute("timeline --field GrantedAccess=0x001FFFFF --json")
        #expect(String(out.stdout.dropFirst(before)).contains("GrantedAccess=0x1fffff"))
    }

    /// The cmdlet log's message reads like the command as typed, who ran it through which application pool and,
    /// when it failed, the error's first line (the two real MSExchange Management logs).
    @Test func cmdletLogMessageReadsLikeTheCommand() throws {
        let dir = Self.repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures/evtx")
        let forwarding = dir.appendingPathComponent("exchange-management-set-mailbox-forwarding-wec.evtx")
        let agent = dir.appendingPathComponent("exchange-management-install-transport-agent.evtx")
        guard FileManager.default.fileExists(atPath: forwarding.path) else { print("skipped: \(forwarding.path) absent"); return }
        try shell.execute("load '\(forwarding.path)' --quiet; load '\(agent.path)' --quiet; timeline --json")
        #expect(out.stdout.contains(#""message":"EventID 1 MSExchange CmdletLogs: Set-Mailbox -Identity \"Administrateur\" -DeliverToMailboxAndForward \"False\" -ForwardingSmtpAddress \"smtp:test2@example.com\" (by ave.local/Users/Administrateur via w3wp#MSExchangePowerShellAppPool)""#),
                "\(out.stdout)")
        #expect(out.stdout.contains(#""message":"EventID 6 MSExchange CmdletLogs: Enable-TransportAgent -Identity \"hack\" (by offsec.lan/OFFSEC-COMPANY/Administrators/admmig via w3wp#MSExchangePowerShellAppPool) failed: System.ArgumentException: Transport agent \"hack\" isn't found.""#))
    }

    /// On the training set EX02 has one low finding (the scanner probe): filtered out by a severity or rule
    /// filter, it is reported as filtered, not as a server without findings.
    @Test func filteredOutServerIsNotCalledQuiet() throws {
        try shell.execute("load '\(Self.repo.appendingPathComponent("help/training").path)' --quiet")
        try shell.execute("hunt --min-severity critical")
        #expect(out.stdout.contains("EX02: no findings at or above critical (1 lower)\n"), "\(out.stdout)")
        #expect(!out.stdout.contains("EX02: no hits"))
        try shell.execute("hunt --rule proxylogon.ssrf --min-severity critical")
        #expect(out.stdout.contains("EX01: no findings of proxylogon.ssrf at or above critical (1 lower, 22 findings of other rules)"), "\(out.stdout)")
        #expect(out.stdout.contains("EX02: no findings of proxylogon.ssrf at or above critical (1 finding of other rules)"))
        let quiet = try json("hunt --min-severity critical --json")["servers_without_findings"] as! [[String: Any]]
        #expect(quiet.count == 1 && quiet[0]["server"] as? String == "EX02" && quiet[0]["filtered_out"] as? Int == 1)
        #expect(quiet[0]["note"] as? String == "no findings at or above critical (1 lower)")
    }

    @Test func rulesListsEveryRuleAndEachHasAHelpPage() throws {
        let before = out.stdout.count
        try shell.execute("rules --json")
        let list = try JSONSerialization.jsonObject(with: Data(String(out.stdout.dropFirst(before)).utf8)) as! [[String: Any]]
        #expect(list.count == RuleRegistry.standard.count)
        for r in list {
            let id = r["id"] as! String
            #expect(shell.session.help.text("rules/\(id)") != nil, "help/rules/\(id).md missing")
        }
        try shell.execute("help rules/proxylogon.ssrf")
        #expect(out.stdout.contains("# proxylogon.ssrf"))
        try shell.execute("rules")
        #expect(out.stdout.contains("chain.proxylogon"))
    }

    @Test func exportProxyLogonWritesTheScriptsFiles() throws {
        try load("proxylogon")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-shell-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = try json("export proxylogon '\(dir.path)' --json")
        let files = doc["files"] as! [String]
        #expect(files.contains("EX01-Cve-2021-26855.csv"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("EX01-Cve-2021-26855.csv").path))
        #expect(throws: ShellError.self) { try shell.execute("export nothing '\(dir.path)'") }
        // An earlier export is replaced only on request.
        #expect(throws: ShellError.self) { try shell.execute("export proxylogon '\(dir.path)'") }
        // --force replaces the earlier export as a whole: a file this run has no hit for is removed, not left
        // to read as a current result; other files in the folder stay.
        let stale = dir.appendingPathComponent("EX07-Cve-2021-26858.log").path, mine = dir.appendingPathComponent("notes.txt").path
        try "earlier\n".write(toFile: stale, atomically: true, encoding: .utf8)
        try "mine\n".write(toFile: mine, atomically: true, encoding: .utf8)
        let again = try json("export proxylogon '\(dir.path)' --force --json")
        #expect(again["files"] as? [String] == files && again["removed_earlier"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: stale) && FileManager.default.fileExists(atPath: mine))
        // Never into the evidence.
        let inside = Self.fixtures.appendingPathComponent("proxylogon/out").path
        #expect(throws: ShellError.self) { try shell.execute("export proxylogon '\(inside)'") }
        #expect(!FileManager.default.fileExists(atPath: inside))
    }

    /// Refused before anything is written: DIR that is a file, a provenance file of the user's without --force, and
    /// a folder where the provenance file goes (reviewer: the export was left half-written).
    @Test func exportRefusesWhatItWouldReplace() throws {
        try load("proxylogon")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-shell-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("pd2/exhunt-provenance.json"), withIntermediateDirectories: true)
        try "{\"mine\":1}\n".write(to: dir.appendingPathComponent("exhunt-provenance.json"), atomically: true, encoding: .utf8)
        try "x".write(to: dir.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        func refusal(_ line: String) -> String { "\((#expect(throws: ShellError.self) { try shell.execute(line) })!)" }
        #expect(refusal("export proxylogon '\(dir.path)'").contains("exhunt-provenance.json exists (--force to overwrite)"))
        #expect(refusal("export proxylogon '\(dir.path)/pd2' --force").contains("is a folder; name a file to write"))
        #expect(refusal("export proxylogon '\(dir.path)/file'").contains("is a file; name a folder for Test-ProxyLogon's files"))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("pd2").path)
        let mine = try String(contentsOf: dir.appendingPathComponent("exhunt-provenance.json"), encoding: .utf8)
        #expect(left == ["exhunt-provenance.json"] && mine == "{\"mine\":1}\n")
    }

    /// With no hit nothing is written, not even the folder (the script leaves none either; reviewer).
    @Test func exportWithoutHitsMakesNoFolder() throws {
        try load("lsass")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-shell-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = try json("export proxylogon '\(dir.path)' --json")
        #expect(doc["files"] as? [String] == [])
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}

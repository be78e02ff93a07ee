import ExchangeEvidence
import Foundation
import InvestigationShell
import Testing

/// `check-build` driven through the shell, on typed builds and on the training evidence set.
@Suite struct CheckBuildCommandTests {
    static let help = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("help")

    func shell() -> (Shell, CapturedOutput) {
        let out = CapturedOutput()
        return (Shell(session: Session(output: out, help: HelpLibrary(root: Self.help))), out)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func typedBuildAsJSON() throws {
        let (sh, out) = shell()
        try sh.execute("check-build 15.01.2176.002 --at 2021-03-01 --json")
        let doc = try #require(try json(out.stdout) as? [String: Any])
        for key in ["server", "build", "product", "cu", "update", "vulnerable", "fixed", "source"] {
            #expect(doc.keys.contains(key), "missing key \(key)")
        }
        #expect(doc["server"] is NSNull)
        #expect(doc["build"] as? String == "15.1.2176.2")
        #expect(doc["product"] as? String == "Exchange 2016")
        #expect(doc["cu"] as? String == "CU19")
        #expect(doc["update"] is NSNull)
        #expect((doc["vulnerable"] as? [String])?.contains("CVE-2021-26855") == true)
        #expect(doc["source"] as? String == "typed")
        #expect((doc["recommended"] as? [String: Any])?["update"] as? String == "Feb21SU")
    }

    @Test func updateDisplayNameAsText() throws {
        let (sh, out) = shell()
        try sh.execute("check-build 'Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758) 15.2.1118.20' --at 2022-11-20")
        #expect(out.stdout.contains("Exchange 2019 CU12 Nov22SU"))
        #expect(out.stdout.contains("CVE-2022-41082  ProxyNotShell  fixed"))
    }

    @Test func garbageIsAClearError() {
        let (sh, _) = shell()
        #expect(throws: ShellError.self) { try sh.execute("check-build 15.x") }
        do { try sh.execute("check-build 'Version 99'") } catch {
            #expect("\(error)".contains("'Version 99' has no build number"))
        }
    }

    @Test func trainingSetShowsTheBuildChangeWindowAndFindings() throws {
        let (sh, out) = shell()
        try sh.execute("load demo")
        guard sh.session.store.count > 0 else { Issue.record("training set not loaded from \(Self.help.path)"); return }
        let t = Timestamp.parse("2021-03-03T06:49:42.162Z")!
        sh.session.attachment(ExposureFindings.self) { ExposureFindings() }.items = [
            (server: "EX01", time: t, label: "proxylogon.ssrf"),
        ]
        try sh.execute("check-build --server EX01")
        let text = out.stdout
        #expect(text.contains("EX01  15.1.2176.9 (15.01.2176.009) from ExSetup.exe FileVersion in EX01/build/exsetup.txt"))
        #expect(text.contains("history   15.1.2176.2 (2021-02-25 00:20:08 – 2021-03-04 20:54:52) → 15.1.2176.9 (2021-03-04 21:19:46 – "))
        #expect(text.contains("exposed   ProxyLogon (CVE-2021-26855, CVE-2021-26857, CVE-2021-26858, CVE-2021-27065) from before the first event 2021-02-25 00:20:08 until the update at 2021-03-04 21:19:46"))
        #expect(text.contains("finding   proxylogon.ssrf 2021-03-03 06:49 while on 15.1.2176.2, vulnerable to CVE-2021-26855, CVE-2021-26857, CVE-2021-26858, CVE-2021-27065 until the update at 2021-03-04 21:19"))

        let (sh2, out2) = shell()
        try sh2.execute("load demo")
        let before = out2.stdout.count
        try sh2.execute("check-build --json")
        let servers = try #require(try json(String(out2.stdout.dropFirst(before))) as? [[String: Any]])
        #expect(servers.map { $0["server"] as? String } == ["EX01", "EX02"])
        let ex02 = servers[1]
        #expect(ex02["update"] as? String == "Mar21SU")
        #expect(ex02["source"] as? String == "exsetup")
        let history = try #require(ex02["history"] as? [[String: Any]])
        #expect(history.map { $0["build"] as? String } == ["15.1.2176.2", "15.1.2176.9"])
        let windows = try #require(ex02["windows"] as? [[String: Any]])
        let ssrf = try #require(windows.first { $0["cve"] as? String == "CVE-2021-26855" })
        #expect((ssrf["until"] as? String)?.hasPrefix("2021-03-03T10:13:16") == true)
        #expect(ssrf["fixed_by"] as? String == "Mar21SU")
    }

    @Test func helpFileDocumentsTheCommand() throws {
        let text = try String(contentsOf: Self.help.appendingPathComponent("check-build.md"), encoding: .utf8)
        for key in ["`server`", "`build`", "`product`", "`cu`", "`update`", "`vulnerable`", "`fixed`", "`source`"] {
            #expect(text.contains(key), "help/check-build.md does not document \(key)")
        }
        let (sh, out) = shell()
        try sh.execute("check-build --help")
        #expect(out.stdout.contains("check-build"))
    }
}

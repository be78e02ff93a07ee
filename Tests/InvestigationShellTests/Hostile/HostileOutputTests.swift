import ExchangeEvidence
import Foundation
import Testing

/// Evidence carrying terminal controls (ESC/CSI, OSC 52, BEL, the 8-bit CSI U+009B) and bidi overrides in user
/// agents, URLs, paths, names and event data: every output — tables, show, timeline, JSON, the CSV/JSONL
/// exports, Test-ProxyLogon's files, Markdown and HTML reports, case notes — is scanned byte by byte.
@Suite struct HostileOutputTests {
    /// ESC [ 31m, OSC 52 (clipboard write) ended by BEL, the 8-bit CSI, a right-to-left override, then text.
    static let hostile = "\u{1B}[31mred\u{1B}]52;c;cm0gLXJmIH4=\u{07}\u{9B}2J\u{202E}fdp.exe"

    /// The raw bytes no output may contain: ESC, BEL, C1 controls (UTF-8 C2 80–C2 9F), bidi overrides.
    static func unsafeBytes(_ data: [UInt8]) -> String? {
        for (i, b) in data.enumerated() {
            if b == 0x1B || b == 0x07 { return "byte \(i): \(b)" }
            if b == 0xC2, i + 1 < data.count, (0x80...0x9F).contains(data[i + 1]) { return "byte \(i): C1" }
            if b == 0xE2, i + 2 < data.count, data[i + 1] == 0x80, (0xAA...0xAE).contains(data[i + 2]) { return "byte \(i): bidi" }
        }
        return nil
    }

    /// The proxylogon fixture with the hostile text in every user agent and request id, plus a web-server
    /// shell whose command line, and a web-shell listing whose path, carry it.
    static func evidence() throws -> URL {
        let fixtures = TestShell.repoRoot.appendingPathComponent("Tests/ExchangeDetectionTests/Fixtures")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("proxylogon/EX01"), to: dir.appendingPathComponent("EX01"))
        let log = dir.appendingPathComponent("EX01/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG")
        var text = try String(contentsOf: log, encoding: .utf8)
        for ua in ["ExchangeServicesClient/0.0.0.0", "python-requests/2.25.1"] {
            text = text.replacingOccurrences(of: ua, with: "=HYPERLINK(\"x\")" + hostile)
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let listing = "#TYPE System.IO.FileInfo\r\n\"FullName\",\"Length\",\"LastWriteTimeUtc\"\r\n"
            + "\"C:\\inetpub\\wwwroot\\aspnet_client\\\(hostile).aspx\",\"12\",\"3/3/2021 6:59:26 AM\"\r\n"
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("EX01/listings"), withIntermediateDirectories: true)
        try listing.write(to: dir.appendingPathComponent("EX01/listings/files.csv"), atomically: true, encoding: .utf8)
        let event = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
            + "<EventID>4688</EventID><Level>0</Level><TimeCreated SystemTime='2021-03-03T07:00:00.0000000Z'/><EventRecordID>1</EventRecordID>"
            + "<Channel>Security</Channel><Computer>EX01</Computer></System><EventData><Data Name='NewProcessId'>0x20</Data>"
            + "<Data Name='NewProcessName'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='ProcessId'>0x10</Data>"
            + "<Data Name='ParentProcessName'>C:\\Windows\\System32\\inetsrv\\w3wp.exe</Data>"
            + "<Data Name='CommandLine'>cmd /c \(hostile)</Data></EventData></Event>\n"
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("EX01/eventlogs"), withIntermediateDirectories: true)
        try event.write(to: dir.appendingPathComponent("EX01/eventlogs/security.xml"), atomically: true, encoding: .utf8)
        // An event at the root, whose server is the name its Computer gives: a server name is evidence too.
        try event.replacingOccurrences(of: "<Computer>EX01</Computer>", with: "<Computer>EX9\(hostile)</Computer>")
            .write(to: dir.appendingPathComponent("computer.xml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func noOutputCarriesTerminalControls() throws {
        let evidence = try Self.evidence()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-hostile-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: evidence)
            try? FileManager.default.removeItem(at: out)
        }
        let t = TestShell()
        var printed = try t.run("load \(evidence.path) --name hostile")
        let hunt = try t.run("hunt")
        #expect(hunt.contains("\\x1b[31mred"), "the hunt shows the hostile text, escaped")
        printed += hunt
        try t.run("case new \(out.appendingPathComponent("c.case").path)")
        try t.run("mark finding F1 as malicious --note 'pasted: \(Self.hostile)'")
        for command in ["sources", "sources --files", "sources --problems", "hunt --json", "timeline", "timeline --json",
                        "show 5", "show 5 --json", "grep-ioc", "grep-ioc --json", "marks", "marks --json", "case", "check-build",
                        "timeline --contains fdp", "show 1 --json"] {
            printed += (try? t.run(command)) ?? ""
        }
        printed += try t.run("export timeline \(out.appendingPathComponent("t.csv").path)")
        printed += try t.run("export timeline \(out.appendingPathComponent("t.jsonl").path)")
        printed += try t.run("export proxylogon \(out.appendingPathComponent("tpl").path)")
        printed += try t.shown("report \(out.appendingPathComponent("r.html").path)")
        printed += try t.shown("report \(out.appendingPathComponent("r.md").path)")
        // A Computer holding control characters names no host: it is no server name, and shows escaped where the
        // event is shown.
        #expect(!t.session.store.files.contains { $0.server.contains("\u{1b}") })
        let computer = try t.run("timeline --contains EX9 --limit 1 --json")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(computer.split(separator: "\n")[0].utf8)) as? [String: Any])?["event"] as? Int)
        let shown = try t.run("show \(id)")
        #expect(shown.contains("EX9\\x1b[31mred"), "the event shows the hostile computer, escaped")
        printed += shown
        #expect(Self.unsafeBytes(Array(printed.utf8)) == nil, "terminal output")
        var files = 0
        let walker = FileManager.default.enumerator(at: out, includingPropertiesForKeys: nil)!
        for case let url as URL in walker where !url.hasDirectoryPath && url.pathExtension != "case" && !url.lastPathComponent.contains(".case-") {
            let bytes = Array(try Data(contentsOf: url))
            #expect(Self.unsafeBytes(bytes) == nil, "\(url.lastPathComponent)")
            files += 1
        }
        #expect(files >= 6, "timeline CSV and JSONL, Test-ProxyLogon files, two reports")
        let csv = try String(contentsOf: out.appendingPathComponent("t.csv"), encoding: .utf8)
        #expect(csv.contains("\\x1b[31mred"), "controls are escaped as in the terminal")
        let tpl = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("tpl").path)
        let ssrf = try String(contentsOf: out.appendingPathComponent("tpl").appendingPathComponent(try #require(tpl.first { $0.hasSuffix("-Cve-2021-26855.csv") })), encoding: .utf8)
        #expect(ssrf.contains("\"'=HYPERLINK(\"\"x\"\")\\x1b[31mred"), "a formula is neutralised: \(ssrf.prefix(400))")
        #expect(ssrf.hasPrefix("#TYPE Selected.System.Management.Automation.PSCustomObject\r\n\"DateTime\",\"RequestId\""), "Test-ProxyLogon's columns are intact")
    }

    @Test(arguments: [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("a=b", "a=b"),
                      ("-", "-"), ("--", "'--"),
                      ("\tx", "\\x09x"), ("a\u{1B}[2Jb", "a\\x1b[2Jb"), ("\u{202E}exe", "\\u202eexe"), ("\u{9B}1m", "\\x9b1m")])
    func csvCellsAreNeutralised(_ input: String, _ expected: String) {
        #expect(CSVCell.text(input) == expected)
    }
}

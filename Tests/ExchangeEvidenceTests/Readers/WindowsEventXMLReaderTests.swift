import Foundation
import XCTest
@testable import ExchangeEvidence

final class WindowsEventXMLReaderTests: XCTestCase {
    private func run(_ text: String, path: String = "EX01/eventlogs/export.xml") -> ReaderRun {
        ReaderRun(WindowsEventXMLReader(), path: path, bytes: Array(text.utf8))
    }

    /// A `wevtutil qe /f:xml` export: one event per line, no root, single quotes, classic and named data.
    func testWevtutilExport() throws {
        let bytes = try Fixtures.bytes("Readers/wevtutil-export.xml")
        let reader = WindowsEventXMLReader()
        XCTAssertEqual(bytes.withUnsafeBytes { reader.score(path: "x.xml", head: $0) }, 90)
        let r = ReaderRun(reader, path: "EX01/eventlogs/export.xml", bytes: bytes)
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(r.output.kind, .eventLog)
        XCTAssertEqual(r.output.problems.total, 0)
        XCTAssertEqual((0..<4).map(r.line), [1, 2, 3, 4])

        // CVE-2021-26857 shape: MSExchange Unified Messaging, level 2, InvalidCastException in the data.
        XCTAssertEqual(r.field("Provider", 0), "MSExchange Unified Messaging")
        XCTAssertEqual(r.field("Level", 0), "2")
        XCTAssertEqual(r.field("Channel", 0), "Application")
        XCTAssertEqual(r.field("EventID", 0), "1141")
        XCTAssertTrue(r.field("Data2", 0)?.hasPrefix("System.InvalidCastException:") ?? false)
        XCTAssertEqual(Timestamp.iso(r.time(0)), "2021-03-03T04:11:24.738Z")

        // Entities are decoded; user is SubjectUserName.
        XCTAssertEqual(r.field("CommandLine", 1),
                       #"cmd /c cd /d "C:\inetpub\wwwroot\aspnet_client\system_web"&whoami & echo [S]&cd&echo [E]"#)
        XCTAssertEqual(r.field("ParentProcessName", 1), #"C:\Windows\System32\inetsrv\w3wp.exe"#)
        XCTAssertEqual(r.value(.user, 1), "EX01$")

        XCTAssertEqual(r.field("Data1", 2), "Set-OabVirtualDirectory")
        XCTAssertTrue(r.field("Data2", 2)?.contains(#"<script language="JScript" runat="server">"#) ?? false)
        XCTAssertEqual(r.field("Data8", 2), "")

        // RenderedXml: the message is kept; `-` subject falls through to TargetUserName; IpAddress interned.
        XCTAssertEqual(r.field("Message", 3), "An account was successfully logged on.")
        XCTAssertEqual(r.value(.user, 3), "svc-backup")
        XCTAssertEqual(r.value(.clientIP, 3), "86.105.18.116")
        XCTAssertEqual(r.field("LogonProcessName", 3), "NtLmSsp ")
    }

    /// A pretty-printed export inside an `<Events>` root, UserData, a cut-off last event.
    func testRootUserDataAndTruncation() {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Events>
          <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
            <System>
              <Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/>
              <EventID>1102</EventID>
              <Level>4</Level>
              <TimeCreated SystemTime="2021-03-04T02:00:00.0000000Z"/>
              <EventRecordID>9001</EventRecordID>
              <Channel>Security</Channel>
              <Computer>EX01.contoso.local</Computer>
              <Security UserID="S-1-5-21-1-2-3-500"/>
            </System>
            <UserData>
              <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">
                <SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid>
                <SubjectUserName>Administrator</SubjectUserName>
                <!-- a comment -->
                <SubjectDomainName><![CDATA[CONTOSO & co]]></SubjectDomainName>
              </LogFileCleared>
            </UserData>
          </Event>
          <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
            <System><EventID>4624</EventID><TimeCreated SystemTime="2021-03-04T02:00:01Z"/>
        """
        let r = run(text)
        XCTAssertEqual(r.count, 2)
        XCTAssertEqual(r.line(0), 3)
        XCTAssertEqual(r.field("EventID", 0), "1102")
        XCTAssertEqual(r.field("UserSID", 0), "S-1-5-21-1-2-3-500")
        XCTAssertEqual(r.field("SubjectUserName", 0), "Administrator")
        XCTAssertEqual(r.field("SubjectDomainName", 0), "CONTOSO & co")
        XCTAssertEqual(r.value(.user, 0), "Administrator")
        XCTAssertEqual(r.line(1), 23)
        XCTAssertEqual(r.field("EventID", 1), "4624")
        XCTAssertEqual(r.output.problems.kept.map(\.line), [23])
    }

    /// The loader decodes a UTF-16 export (what PowerShell's `>` writes) before this reader sees it.
    func testUTF16ExportThroughTheLoader() throws {
        let text = String(decoding: try Fixtures.bytes("Readers/wevtutil-export.xml"), as: UTF8.self)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in text.utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        try Data(utf16).write(to: dir.appendingPathComponent("Application.xml"))
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        XCTAssertEqual(store.count, 4)
        XCTAssertEqual(store.files.first?.kind, .eventLog)
        XCTAssertEqual(store.field("Data1", of: 2), "Set-OabVirtualDirectory")
    }

    /// Not event XML: other XML, and text mentioning `<Event`, are not claimed.
    func testNearMissesAreNotClaimed() {
        let reader = WindowsEventXMLReader()
        for text in ["<configuration><system.web/></configuration>", "2021-03-03 log line with <Event> inside",
                     "<Events></Events>"] {
            XCTAssertEqual(Array(text.utf8).withUnsafeBytes { reader.score(path: "a.xml", head: $0) }, 0, text)
        }
    }
}

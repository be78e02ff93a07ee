import ExchangeEvidence
import Foundation
import Testing

@Suite struct WindowsEventXMLReaderTests {
    /// A `wevtutil qe /f:xml` export: one event per line, no root, single quotes, classic and named data.
    @Test func wevtutilExport() throws {
        let (s, _) = try Fixtures.load(Fixtures.path("eventlog/wevtutil-export.xml"))
        #expect(s.count == 4)
        // Three logs in one export: each event is filed under its own channel.
        #expect(s.files.map(\.channel) == ["Application", "Security", "MSExchange Management"])
        #expect(s.files.allSatisfy { $0.kind == .eventLog && $0.problems.total == 0 })
        #expect(s.files.allSatisfy { $0.server == "EX01" }, "from Computer")
        #expect(Set((0..<4).map { s.line(of: $0) }) == [1, 2, 3, 4])
        let e = [0] + (1...4).map { line in (0..<s.count).first { s.line(of: $0) == line }! }

        // CVE-2021-26857 shape: MSExchange Unified Messaging, level 2, InvalidCastException in the data.
        #expect(s.field("Provider", of: e[1]) == "MSExchange Unified Messaging")
        #expect(s.field("Level", of: e[1]) == "2")
        #expect(s.field("Channel", of: e[1]) == "Application")
        #expect(s.field("EventID", of: e[1]) == "1141")
        #expect(s.field("Data2", of: e[1])?.hasPrefix("System.InvalidCastException:") == true)
        #expect(Timestamp.iso(s.time[e[1]]) == "2021-03-03T04:11:24.738Z")

        // Entities are decoded; the user is SubjectUserName.
        #expect(s.field("CommandLine", of: e[2])
            == #"cmd /c cd /d "C:\inetpub\wwwroot\aspnet_client\system_web"&whoami & echo [S]&cd&echo [E]"#)
        #expect(s.field("ParentProcessName", of: e[2]) == #"C:\Windows\System32\inetsrv\w3wp.exe"#)
        #expect(s.value(.user, e[2]) == "EX01$")

        // The cmdlet log's unnamed values are named by position, as in `.evtx` files; unnamed positions stay DataN.
        #expect(s.field("CmdletName", of: e[3]) == "Set-OabVirtualDirectory")
        #expect(s.field("CmdletParameters", of: e[3])?.contains(#"<script language="JScript" runat="server">"#) == true)
        #expect(s.field("Data1", of: e[3]) == nil)
        #expect(s.field("Data8", of: e[3]) == "")

        // RenderedXml: the message is kept; a `-` subject falls through to TargetUserName; IpAddress interned.
        #expect(s.field("Message", of: e[4]) == "An account was successfully logged on.")
        #expect(s.value(.user, e[4]) == "svc-backup")
        #expect(s.value(.clientIP, e[4]) == "86.105.18.116")
        #expect(s.field("LogonProcessName", of: e[4]) == "NtLmSsp ")
    }

    /// A pretty-printed export in an `<Events>` root, UserData, a comment, CDATA, and a cut-off last event.
    @Test func rootUserDataAndTruncation() throws {
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
        let dir = Fixtures.tempDir()
        Fixtures.write(text, "EX01/eventlogs/Security.xml", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.count == 2)
        #expect(s.line(of: 0) == 3)
        #expect(s.field("EventID", of: 0) == "1102")
        #expect(s.field("UserSID", of: 0) == "S-1-5-21-1-2-3-500")
        #expect(s.field("SubjectUserName", of: 0) == "Administrator")
        #expect(s.field("SubjectDomainName", of: 0) == "CONTOSO & co")
        #expect(s.value(.user, 0) == "Administrator")
        #expect(s.line(of: 1) == 23)
        #expect(s.field("EventID", of: 1) == "4624")
        #expect(s.files[0].problems.kept.map(\.line) == [23], "the unclosed event is kept and reported")
    }

    /// A logon's user is the account logged on (`TargetUserName`), not the computer account that handled it; an
    /// event where the subject acted (a process started by `EX01$` on behalf of a target) keeps the subject.
    @Test func aLogonsUserIsItsTarget() throws {
        func event(_ id: String, provider: String = "Microsoft-Windows-Security-Auditing") -> String {
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='\(provider)'/>"
                + "<EventID>\(id)</EventID><TimeCreated SystemTime='2021-03-03T07:20:00.000Z'/><Channel>Security</Channel></System>"
                + "<EventData><Data Name='SubjectUserName'>EX01$</Data><Data Name='TargetUserName'>admin</Data></EventData></Event>\n"
        }
        let dir = Fixtures.tempDir()
        Fixtures.write(event("4624") + event("4625") + event("4688") + event("4624", provider: "MSExchange Other"),
                       "EX01/eventlogs/Security.xml", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect((0..<s.count).map { s.value(.user, $0) } == ["admin", "admin", "EX01$", "EX01$"])
    }

    /// An export of two logs in one file (Sysmon, then Security): each event is filed under its own channel, so
    /// rules bound to a channel see it (reviewer: the Security 4688 was filed as Sysmon and a process-creation rule
    /// for Security missed it); each channel's file keeps its events' lines.
    @Test func anExportOfTwoLogsIsFiledPerChannel() throws {
        func event(_ id: String, channel: String, record: Int) -> String {
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/>"
                + "<EventID>\(id)</EventID><TimeCreated SystemTime='2021-03-03T07:2\(record):00.000Z'/><EventRecordID>\(record)</EventRecordID>"
                + "<Channel>\(channel)</Channel><Computer>EX04.contoso.local</Computer></System>"
                + "<EventData><Data Name='CommandLine'>cmd /c whoami</Data></EventData></Event>\n"
        }
        let dir = Fixtures.tempDir()
        Fixtures.write(event("1", channel: "Microsoft-Windows-Sysmon/Operational", record: 1) + event("4688", channel: "Security", record: 2)
                       + event("1", channel: "Microsoft-Windows-Sysmon/Operational", record: 3), "EX04/events.xml", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.files.map(\.channel) == ["Microsoft-Windows-Sysmon/Operational", "Security"])
        #expect(s.files.map(\.server) == ["EX04", "EX04"])
        #expect(s.events(ofFile: 1).map { s.field("EventID", of: $0) } == ["4688"] && s.events(ofFile: 1).map { s.line(of: $0) } == [2])
    }

    /// A control character written as a character reference reaches the value as itself: the line is named in
    /// the problems as a raw escape byte in a text log is (reviewer: a JSON export's `\u001b` was not), and kept.
    @Test func aControlCharacterByReferenceIsNamed() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func event(_ commandLine: String, record: Int) -> String {
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/>"
                + "<EventID>4688</EventID><TimeCreated SystemTime='2021-03-03T07:2\(record):00.000Z'/><EventRecordID>\(record)</EventRecordID>"
                + "<Channel>Security</Channel><Computer>EX04</Computer></System>"
                + "<EventData><Data Name='CommandLine'>\(commandLine)</Data></EventData></Event>\n"
        }
        Fixtures.write(event("cmd /c whoami", record: 1) + event("cmd /c echo &#x1B;]0;pwned&#x7;", record: 2), "EX04/events.xml", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.count == 2 && s.field("CommandLine", of: 1) == "cmd /c echo \u{1B}]0;pwned\u{07}")
        #expect(s.files[0].messages == ["line 2: contains control characters (first: ESC; kept, shown escaped)"])
    }

    /// The loader decodes a UTF-16 export (what PowerShell's `>` writes) before this reader sees it.
    @Test func utf16Export() throws {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("eventlog/wevtutil-export.xml"))),
                          as: UTF8.self)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in text.utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let dir = Fixtures.tempDir()
        Fixtures.write(utf16, "EX01/eventlogs/Application.xml", in: dir)
        let (s, _) = try Fixtures.load(dir.path)
        #expect(s.count == 4)
        #expect(s.files.allSatisfy { $0.kind == .eventLog })
        #expect((0..<s.count).contains { s.field("CmdletName", of: $0) == "Set-OabVirtualDirectory" })
    }

    /// Other XML, and text that mentions `<Event>`, are not claimed.
    @Test(arguments: ["<configuration><system.web/></configuration>", "2021-03-03 log line with <Event> inside", "<Events></Events>"])
    func nearMissesAreNotClaimed(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { WindowsEventXMLReader().score(path: "a.xml", head: $0) } == 0)
    }
}

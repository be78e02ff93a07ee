import ExchangeEvidence
import Foundation
import Testing

/// The event-data names of `mappings/event-data-names.tsv`, applied to PowerShell's nameless `Properties` and to
/// the cmdlet log's unnamed values.
@Suite struct WindowsEventDataNamesTests {
    @Test func theShippedTableReadsWithoutProblems() {
        #expect(WindowsEventDataNames.shipped.problems.isEmpty, "\(WindowsEventDataNames.shipped.problems)")
        // Real 4688 events without the parent fields have 13 values (the Security fixture): named, not a prefix guess.
        let n = WindowsEventDataNames.shipped.names(provider: "Microsoft-Windows-Security-Auditing", eventID: "4688", count: 13)
        #expect(n?.last == "TargetLogonId" && n?[8] == "CommandLine")
        // Sysmon 1 without OriginalFileName (21 values): CommandLine is the tenth, not OriginalFileName.
        #expect(WindowsEventDataNames.shipped.names(provider: "Microsoft-Windows-Sysmon", eventID: "1", count: 21)?[9] == "CommandLine")
        #expect(WindowsEventDataNames.shipped.names(provider: "Microsoft-Windows-Sysmon", eventID: "1", count: 20) == nil)
    }

    @Test func aBadRowIsNamedByLineAndTheRestIsRead() {
        let table = WindowsEventDataNames(parsing: "# comment\nP\t1\tA,B\nP\tone\tA\nP\t2\n\nQ\t7\tX,,Y\r\nQ\t7\tX,Y,Z\r\n")
        #expect(table.problems.map { $0.split(separator: ":").dropFirst().first.map(String.init) } == ["3", "4", "6"])
        #expect(table.names(provider: "P", eventID: "1", count: 2) == ["A", "B"])
        #expect(table.names(provider: "Q", eventID: "7", count: 3) == ["X", "Y", "Z"])
    }

    /// `-` leaves a position unnamed and a last `...` makes a prefix row: it names the leading positions of an
    /// event with at least as many values; an exact row wins, then the longest prefix that fits.
    @Test func prefixRowsAndUnnamedPositions() {
        let table = WindowsEventDataNames(parsing: "P\t1\tA,-,C,...\nP\t1\tA,-,C,-,E,...\nP\t1\tX,Y,Z,W\nP\t2\t-,-\nP\t3\tA,...,B\nP\t4\tA=B\n")
        #expect(table.problems.count == 3, "a row naming nothing, `...` not last and a name with `=`: \(table.problems)")
        #expect(table.names(provider: "P", eventID: "1", count: 2) == nil, "fewer values than the shortest prefix")
        #expect(table.names(provider: "P", eventID: "1", count: 3) == ["A", "Data2", "C"])
        #expect(table.names(provider: "P", eventID: "1", count: 4) == ["X", "Y", "Z", "W"], "the exact row first")
        #expect(table.names(provider: "P", eventID: "1", count: 6) == ["A", "Data2", "C", "Data4", "E", "Data6"], "the longest prefix")
        #expect(table.knows(provider: "P", eventID: "1") && !table.knows(provider: "P", eventID: "2"))
    }

    /// The cmdlet log's rows: 27 values (the fixtures' count) and the 9 of hand-written logs are named; a
    /// single value holding the rendered message is not; `Error` only on event 6 with room for it.
    @Test func cmdletLogRows() {
        let t = WindowsEventDataNames.shipped
        let failed = t.names(provider: "MSExchange CmdletLogs", eventID: "6", count: 27)
        #expect(failed?.prefix(7) == ["CmdletName", "CmdletParameters", "Caller", "CallerSid", "Data5", "Data6", "Process"])
        #expect(failed?[11] == "Error" && failed?[26] == "Data27")
        #expect(t.names(provider: "MSExchange CmdletLogs", eventID: "1", count: 27)?.contains("Error") == false)
        #expect(t.names(provider: "MSExchange CmdletLogs", eventID: "6", count: 9)?.last == "Data9")
        #expect(t.names(provider: "MSExchange CmdletLogs", eventID: "1", count: 9)?[6] == "Process")
        #expect(t.names(provider: "MSExchange CmdletLogs", eventID: "1", count: 1) == nil)
    }

    /// `Get-WinEvent | ConvertTo-Json` of a Security 4688 (13 values), a service install and an event no row
    /// fits: the first two get their names, the third keeps Data1….
    @Test func powerShellPropertiesGetTheirNames() throws {
        func event(_ provider: String, _ id: Int, _ log: String, _ values: [String]) -> String {
            let props = values.map { #"{"Value":"\#($0.replacingOccurrences(of: "\\", with: "\\\\"))"}"# }.joined(separator: ",")
            return #"{"Id":\#(id),"ProviderName":"\#(provider)","LogName":"\#(log)","MachineName":"EX01.contoso.local","RecordId":\#(id),"TimeCreated":"\/Date(1614753000000)\/","Properties":[\#(props)]}"#
        }
        let security = ["S-1-5-18", "EX01$", "CONTOSO", "0x3e7", "0x1a2c", "C:\\Windows\\System32\\cmd.exe", "%%1936", "0xd34",
                        "cmd /c whoami", "S-1-0-0", "-", "-", "0x0"]
        let json = "[" + [event("Microsoft-Windows-Security-Auditing", 4688, "Security", security),
                          event("Service Control Manager", 7045, "System", ["evil", "C:\\ProgramData\\e.exe", "user mode service", "auto start", "LocalSystem"]),
                          event("Service Control Manager", 7036, "System", ["Windows Update", "running"])].joined(separator: ",") + "]"
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(json, "EX01/eventlogs/events.json", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        try #require(store.count == 3)
        let fields = (0..<store.count).map { e in Dictionary(store.fields(of: e).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        #expect(fields[0]["CommandLine"] == "cmd /c whoami" && fields[0]["NewProcessName"] == "C:\\Windows\\System32\\cmd.exe")
        #expect(fields[1]["ImagePath"] == "C:\\ProgramData\\e.exe" && fields[1]["ServiceName"] == "evil")
        #expect(fields[2]["Data1"] == "Windows Update" && fields[2]["Data2"] == "running")
    }

    /// The cmdlet log exported by `Get-WinEvent -LogName 'MSExchange Management' | ConvertTo-Json` (the WEC
    /// fixture's values) is named as the `.evtx` record is, and no problem is reported.
    @Test func powerShellPropertiesOfTheCmdletLogGetTheSameNames() throws {
        var values = [String](repeating: "", count: 27)
        values[0] = "Set-Mailbox"
        values[1] = #"-Identity \"Administrateur\" -ForwardingSmtpAddress \"smtp:test2@example.com\""#
        values[2] = "ave.local/Users/Administrateur"
        values[3] = "S-1-5-21-186559946-3925841745-111227986-500"
        values[4] = values[3]
        values[5] = "Remote-ManagementShell-Unknown"
        values[6] = "5668 w3wp#MSExchangePowerShellAppPool"
        values[26] = "fr-FR"
        let props = values.map { #"{"Value":"\#($0)"}"# }.joined(separator: ",")
        let json = #"[{"Id":1,"ProviderName":"MSExchange CmdletLogs","LogName":"MSExchange Management","MachineName":"WEC.ave.local","RecordId":3229,"TimeCreated":"\/Date(1637340753833)\/","Properties":[\#(props)]}]"#
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        Fixtures.write(json, "WEC/eventlogs/management.json", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        try #require(store.count == 1)
        #expect(store.field("CmdletName", of: 0) == "Set-Mailbox")
        #expect(store.field("CmdletParameters", of: 0) == #"-Identity "Administrateur" -ForwardingSmtpAddress "smtp:test2@example.com""#)
        #expect(store.field("Caller", of: 0) == "ave.local/Users/Administrateur")
        #expect(store.field("CallerSid", of: 0) == "S-1-5-21-186559946-3925841745-111227986-500")
        #expect(store.field("Process", of: 0) == "5668 w3wp#MSExchangePowerShellAppPool")
        #expect(store.field("Data6", of: 0) == "Remote-ManagementShell-Unknown" && store.field("Data27", of: 0) == "fr-FR")
        #expect(store.files[0].messages.isEmpty, "\(store.files[0].messages)")
    }
}

import ExchangeEvidence
import Foundation
import Testing

/// The event-data names of `mappings/event-data-names.tsv`, applied to PowerShell's nameless `Properties`.
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
}

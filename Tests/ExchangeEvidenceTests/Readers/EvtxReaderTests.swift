@testable import ExchangeEvidence
import Foundation
import Testing

/// The native `.evtx` reader on the shared real fixtures (see `../shared/fixtures/evtx/README.md` for what
/// each file holds), loaded through the loader.
@Suite(.enabled(if: Fixtures.hasEvtx, "shared EVTX fixtures not found in ../shared/fixtures/evtx: EVTX tests skipped"))
struct EvtxReaderTests {
    private func load(_ name: String) throws -> EventStore {
        let (store, _) = try Fixtures.load(Fixtures.evtx(name))
        #expect(store.files.count == 1)
        return store
    }

    private func count(_ s: EventStore, eventID: String) -> Int { s.ids(where: "EventID", is: eventID).count }

    /// All eight files at once: record counts (normal + recovered), channels, kinds, problems, time ranges.
    @Test func loadsAllFixtures() throws {
        let (store, _) = try Fixtures.load(Fixtures.evtxDir.path)
        let expected: [String: (events: Int, channel: String)] = [
            "application-benign-no-crc32.evtx": (17, "Application"),
            "dirty-appx-deployment-bad-chunk-magic.evtx": (267 + 81, "Microsoft-Windows-AppXDeployment/Operational"),
            "exchange-management-install-transport-agent.evtx": (4, "MSExchange Management"),
            "exchange-management-set-mailbox-forwarding-wec.evtx": (1, "MSExchange Management"),
            "iis-webshell-w3wp-spawns-cmd-sysmon.evtx": (4, "Microsoft-Windows-Sysmon/Operational"),
            "lsass-dump-comsvcs-minidump-security-4688.evtx": (28, "Security"),
            "lsass-dump-comsvcs-minidump-sysmon.evtx": (14, "Microsoft-Windows-Sysmon/Operational"),
            "security-benign-logons.evtx": (10, "Security"),
        ]
        for (name, want) in expected {
            let file = try #require(store.files.first { $0.path == name }, "\(name)")
            #expect(file.kind == .eventLog, "\(name)")
            #expect(file.eventCount == want.events, "\(name)")
            #expect(file.channel == want.channel, "\(name)")
        }
        let dirty = try #require(store.files.first { $0.path.hasPrefix("dirty-") })
        #expect(dirty.facts["evtx.dirty"] == "true")
        #expect(dirty.facts["evtx.recovered"] == "81")
        #expect(dirty.messages.contains { $0.contains("marked dirty") })
        // Recovered slack records widen the range beyond the normal records (fixture README §8).
        #expect(Timestamp.iso(dirty.firstTime) == "2018-08-07T14:42:23.823Z")
        #expect(Timestamp.iso(dirty.lastTime) == "2018-08-08T16:40:15.820Z")
        let clean = try #require(store.files.first { $0.path.hasPrefix("security-benign") })
        #expect(clean.problems.total == 0)
        #expect(clean.facts["server"] == "DESKTOP-JK4Q86I")
    }

    /// Events point at their records in the mapped file and are rendered on demand: one event at a time (with
    /// the chunk decoders reused across events) gives the same lines as the bulk render scans use, recovered
    /// records keep their `Recovered=true`, and the store holds no rendered copy until a scan asks for one.
    @Test func recordsAreRenderedOnDemandAlike() throws {
        let (store, _) = try Fixtures.load(Fixtures.evtxDir.path)
        var recovered = 0
        for (fi, file) in store.files.enumerated() where file.path.hasSuffix(".evtx") {
            let range = store.firstEvent[fi]..<(store.firstEvent[fi] + file.eventCount)
            #expect(file.renderer != nil && file.renderedIfMade == nil, "\(file.path)")
            let single = range.map { store.rawLine($0) }
            recovered += single.filter { $0.hasSuffix("\tRecovered=true") }.count
            for id in range {
                let signature = file.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: store.offset[id], as: UInt32.self) }
                #expect(signature == 0x2A2A, "\(file.path) event \(id) does not point at its record")
            }
            let bulk = store.withEventText(file: fi) { text in range.map { String(decoding: text.line($0), as: UTF8.self) } }
            #expect(single == bulk, "\(file.path)")
            #expect(file.renderedIfMade != nil)
            // Once made, single reads come from the bulk text.
            #expect(range.map { store.rawLine($0) } == bulk, "\(file.path)")
        }
        let facts = store.files.compactMap { $0.facts["evtx.recovered"].flatMap { Int($0) } }.reduce(0, +)
        #expect(recovered == facts && recovered >= 81)
    }

    /// MSExchange CmdletLogs: classic events whose 27 values have no names, named by position from
    /// `event-data-names.tsv` (the README's `Data[0]` is `CmdletName`); positions without a name stay `DataN`.
    @Test func exchangeCmdletLogValuesByPosition() throws {
        let s = try load("exchange-management-install-transport-agent.evtx")
        #expect(s.count == 4)
        #expect(s.files[0].channel == "MSExchange Management")
        #expect(s.files[0].server == "exchange01", "named from Computer when the path does not name a server")
        #expect(s.field("EventRecordID", of: 0) == "7184")
        #expect(s.field("EventID", of: 0) == "6")
        #expect(s.field("Level", of: 0) == "2")
        #expect(s.field("Provider", of: 0) == "MSExchange CmdletLogs")
        #expect(s.field("Computer", of: 0) == "exchange01.offsec.lan")
        #expect(s.field("CmdletName", of: 0) == "Install-TransportAgent")
        #expect(s.field("CmdletParameters", of: 0) == #"-Name "Evil" -AssemblyPath ".\NetshHelperBeacon.dll" -TransportAgentFactory "hack""#)
        #expect(s.field("Caller", of: 0) == "offsec.lan/OFFSEC-COMPANY/Administrators/admmig")
        #expect(s.field("CallerSid", of: 0) == "S-1-5-21-4230534742-2542757381-3142984815-1111")
        #expect(s.field("Process", of: 0) == "8372 w3wp#MSExchangePowerShellAppPool")
        #expect(s.field("Error", of: 0)?.hasPrefix(
            #"System.ArgumentException: The Transport Agent assembly file ".\NetshHelperBeacon.dll" doesn't exist."#) == true)
        #expect(s.field("Data6", of: 0) == "Remote-ManagementShell-Unknown", "no source names it: left unnamed")
        #expect(s.field("Data27", of: 0) == "en-US")
        #expect(s.field("Data1", of: 0) == nil && s.field("Data12", of: 0) == nil)
        #expect(s.field("CmdletName", of: 2) == "Enable-TransportAgent")
        #expect(s.field("CmdletParameters", of: 3) == #"-Identity "hack""#)
        #expect(s.field("Error", of: 3)?.hasPrefix(#"System.ArgumentException: Transport agent "hack" isn't found."#) == true)
        #expect(Timestamp.iso(s.time[0]) == "2021-06-04T08:41:47.982Z")
        #expect(s.field("TimeCreated", of: 3) == "2021-06-04T08:43:08.5465892Z", "the seven digits of the FILETIME")
        #expect((0..<4).map { s.line(of: $0) } == [1, 2, 3, 4], "line numbers are record numbers")
    }

    /// Security 4688/4624/5145 named values, and the interned user and client IP.
    @Test func securityNamedValuesAndInternedFields() throws {
        let s = try load("lsass-dump-comsvcs-minidump-security-4688.evtx")
        #expect(s.count == 28)
        #expect(count(s, eventID: "5145") == 11)
        #expect(count(s, eventID: "4624") == 5)
        #expect(count(s, eventID: "4688") == 3)
        #expect(count(s, eventID: "4656") == 2)
        let ps = try #require(s.ids(where: "EventRecordID", is: "67747").first)
        #expect(s.field("NewProcessName", of: ps) == #"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#)
        #expect(s.field("NewProcessId", of: ps) == "0x998", "hex as Windows writes it")
        #expect(s.value(.user, ps) == "FS03$", "SubjectUserName")
        let dump = try #require(s.ids(where: "EventRecordID", is: "67790").first)
        #expect(s.field("CommandLine", of: dump)
            == #""C:\Windows\System32\rundll32.exe"  C:\Windows\System32\comsvcs.dll MiniDump 512 \Windows\Temp\2V7Be7Gq.dmp full"#)
        let logons = s.ids(where: "EventID", is: "4624")
        #expect(logons.allSatisfy { s.field("LogonType", of: $0) == "3" && s.value(.user, $0) == "admmig" },
                "SubjectUserName is '-', so the user is TargetUserName")
        #expect(logons.allSatisfy { s.value(.clientIP, $0) == "10.23.123.11" })
        let share = try #require(s.ids(where: "RelativeTargetName", is: #"Windows\Temp\2V7Be7Gq.dmp"#).first)
        #expect(s.field("ShareName", of: share) == #"\\*\C$"#)
    }

    /// A service logon's user is the account logged on (`SYSTEM`), not the computer account that handled it.
    @Test func aLogonsUserIsItsTarget() throws {
        let s = try load("security-benign-logons.evtx")
        let logons = s.ids(where: "EventID", is: "4624")
        #expect(logons.count == 2)
        #expect(logons.allSatisfy { s.value(.user, $0) == "SYSTEM" && s.field("SubjectUserName", of: $0) != "SYSTEM" })
    }

    /// Sysmon values. The Security records left in the Sysmon file's slack refer to names that the Sysmon
    /// records have since overwritten (libevtx rendered them with garbled names), so none is kept.
    @Test func sysmonValuesAndUntrustworthySlackRecords() throws {
        let s = try load("lsass-dump-comsvcs-minidump-sysmon.evtx")
        #expect(s.count == 14)
        #expect(s.ids(where: "Recovered", is: "true").isEmpty)
        #expect(s.files[0].facts["evtx.recovered"] == "0")
        #expect(s.files[0].facts["evtx.slack.unreadable"] == "47")
        // Not loaded, and said: the file is not "read cleanly" (reviewer).
        #expect(s.files[0].messages == ["47 record frames in slack space (left from older contents of the log) do not check out (the templates "
                                        + "or names they refer to were overwritten): not loaded, since their values could be another event's"])
        let open = try #require(s.ids(where: "EventRecordID", is: "71673").first)
        #expect(s.field("EventID", of: open) == "10")
        #expect(s.field("TargetImage", of: open) == #"C:\Windows\system32\lsass.exe"#)
        #expect(s.field("GrantedAccess", of: open) == "0x1fffff")
        #expect(s.field("CallTrace", of: open)?.contains("comsvcs.dll+3363a") == true)
        let ps = try #require(s.ids(where: "EventRecordID", is: "71668").first)
        #expect(s.field("ParentImage", of: ps) == #"C:\Windows\System32\wbem\WmiPrvSE.exe"#)
        #expect(s.value(.user, ps) == #"OFFSEC\admmig"#, "Sysmon User")

        let w3wp = try load("iis-webshell-w3wp-spawns-cmd-sysmon.evtx")
        #expect(w3wp.count == 4)
        #expect(w3wp.field("Image", of: 0) == #"C:\Windows\System32\cmd.exe"#)
        #expect(w3wp.field("ParentImage", of: 0) == #"C:\Windows\System32\inetsrv\w3wp.exe"#)
        #expect(w3wp.field("UserSID", of: 0) == "S-1-5-18")
    }

    /// Application: Provider is the provider Name (not EventSourceName); a Binary string gets its own key.
    @Test func applicationProvidersAndBinary() throws {
        let s = try load("application-benign-no-crc32.evtx")
        #expect(s.count == 17)
        #expect(Set((0..<s.count).compactMap { s.field("Provider", of: $0) }) == [
            "SecurityCenter", "Microsoft-Windows-Winlogon", "Microsoft-Windows-User Profiles Service", "Microsoft-Windows-WMI",
            "Microsoft-Windows-Security-SPP", "ESENT", "Microsoft-Windows-Search",
        ])
        let winlogon = try #require(s.ids(where: "EventRecordID", is: "428").first)
        #expect(s.field("EventID", of: winlogon) == "6000")
        #expect(s.field("Data1", of: winlogon) == "WSearch")
        #expect(s.field("Binary", of: winlogon) == "D9060000")
        #expect(s.field("Data2", of: winlogon) == nil)
        #expect(s.field("Data2", of: 1) == "SECURITY_PRODUCT_STATE_ON")

        let sec = try load("security-benign-logons.evtx")
        let logon = try #require(sec.ids(where: "EventRecordID", is: "31794").first)
        #expect(sec.field("LogonProcessName", of: logon) == "Advapi  ", "trailing spaces survive")
        #expect(sec.field("TargetUserName", of: logon) == "SYSTEM")
    }

    /// The WEC-forwarded record (template-less, System values as text, no dependency ids) reads like any other.
    @Test func forwardedTemplateLessRecord() throws {
        let s = try load("exchange-management-set-mailbox-forwarding-wec.evtx")
        let file = s.files[0]
        #expect(s.count == 1)
        // Its only problem: older frames left in slack space that do not check out.
        #expect(file.messages.count == 1 && file.messages[0].hasPrefix("9 record frames in slack space"))
        #expect(file.facts["evtx.unreadable"] == "0")
        #expect(file.server == "WEC")
        #expect(s.field("TimeCreated", of: 0) == "2021-11-19T16:52:33.8337335Z")
        #expect(s.field("EventRecordID", of: 0) == "3229")
        #expect(s.field("EventID", of: 0) == "1")
        #expect(s.field("Level", of: 0) == "4")
        #expect(s.field("Provider", of: 0) == "MSExchange CmdletLogs")
        #expect(s.field("Computer", of: 0) == "WEC.ave.local")
        // Event 1 (succeeded): named like event 6, without `Error`.
        #expect(s.field("CmdletName", of: 0) == "Set-Mailbox")
        #expect(s.field("CmdletParameters", of: 0)
            == #"-Identity "Administrateur" -DeliverToMailboxAndForward "False" -ForwardingSmtpAddress "smtp:test2@example.com""#)
        #expect(s.field("Caller", of: 0) == "ave.local/Users/Administrateur")
        #expect(s.field("CallerSid", of: 0) == "S-1-5-21-186559946-3925841745-111227986-500")
        #expect(s.field("Process", of: 0) == "5668 w3wp#MSExchangePowerShellAppPool")
        #expect(s.field("Error", of: 0) == nil && s.field("Data12", of: 0) == "")
        #expect(s.field("Data11", of: 0)?.hasPrefix("Afficher la forêt entière") == true)
        #expect(s.field("Data27", of: 0) == "fr-FR")
    }

    /// Bytes with no plain file behind them (zip members) go through a private temporary copy; a file
    /// with the magic but nothing else is reported, not a crash.
    @Test func bytesWithoutALocationAndGarbage() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.evtx("dirty-appx-deployment-bad-chunk-magic.evtx"))))
        var out = ReaderOutput(kind: .text)
        bytes.withUnsafeBytes { EvtxReader().read(ReaderInput(path: "x.evtx", bytes: $0, location: "/a.zip!/x.evtx"), into: &out) }
        #expect(out.batch.count == 348)

        let dir = Fixtures.tempDir()
        Fixtures.write(Array("ElfFile\0".utf8) + [UInt8](repeating: 0, count: 100), "EX01/winevt/Logs/Security.evtx", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 0)
        #expect(store.files[0].kind == .eventLog)
        #expect(store.files[0].messages.first?.hasPrefix("cannot open as EVTX") == true)
    }

    /// A collector's forwarded events (many computers and channels in one `.evtx`), made here from two real files:
    /// the Security chunk of one machine and the Sysmon chunk of another under one file header. Each record is
    /// filed under its own server and channel, as JSON and XML exports are: rules bound to a channel see theirs and
    /// per-server verdicts do not mix machines (pyevtx-rs reads the same 10 + 4 records from it).
    @Test func forwardedEventsOfSeveralMachinesAreFiledPerServerAndChannel() throws {
        let security = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.evtx("security-benign-logons.evtx"))))
        let sysmon = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.evtx("iis-webshell-w3wp-spawns-cmd-sysmon.evtx"))))
        var header = Array(security[0..<4096])
        header[42] = 2; header[43] = 0                                          // two chunks
        for i in 24..<32 { header[i] = i == 24 ? 1 : 0 }                        // the last chunk's number
        let crc = header.withUnsafeBytes { CRC32.update(0, $0.baseAddress!, 120) }
        for i in 0..<4 { header[124 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        let dir = Fixtures.tempDir()
        Fixtures.write(header + security[4096..<(4096 + 65536)] + sysmon[4096..<(4096 + 65536)], "COLLECTOR/ForwardedEvents.evtx", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 14)
        #expect(store.files.map { "\($0.server) \($0.channel) \($0.eventCount)" }
                == ["DESKTOP-JK4Q86I Security 10", "IEWIN7 Microsoft-Windows-Sysmon/Operational 4"])
        #expect(store.files.allSatisfy { $0.problems.total == 0 && $0.sha256 == store.files[0].sha256 })
        #expect(store.events(ofFile: 1).map { store.field("EventRecordID", of: $0) } == ["1044", "1045", "1046", "1047"])
    }
}

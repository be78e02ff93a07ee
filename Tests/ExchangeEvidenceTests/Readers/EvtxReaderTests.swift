import Foundation
import XCTest
@testable import ExchangeEvidence

/// The native `.evtx` reader on the shared real fixtures (`../shared/fixtures/evtx`, see its README for
/// what each file holds); skipped when they are not there.
final class EvtxReaderTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        let url = Fixtures.evtxDir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("shared EVTX fixture \(url.path) not found: EVTX tests skipped")
        }
        return url
    }

    private func run(_ name: String, withLocation: Bool = true) throws -> ReaderRun {
        let url = try fixture(name)
        let bytes = [UInt8](try Data(contentsOf: url))
        return ReaderRun(EvtxReader(), path: "EX01/winevt/Logs/\(name)", bytes: bytes, location: withLocation ? url.path : nil)
    }

    private func count(_ run: ReaderRun, eventID: String) -> Int { run.events(where: "EventID", is: eventID).count }

    /// All eight files through the loader: record counts, channels, kinds, problems.
    func testLoadsAllFixturesThroughTheLoader() throws {
        _ = try fixture("security-benign-logons.evtx")
        let store = EventStore()
        _ = try EvidenceLoader(workers: 2).load(Fixtures.evtxDir.path, into: store)
        let expected: [String: (events: Int, channel: String)] = [
            "application-benign-no-crc32.evtx": (17, "Application"),
            "dirty-appx-deployment-bad-chunk-magic.evtx": (267 + 81, "Microsoft-Windows-AppXDeployment/Operational"),
            "exchange-management-install-transport-agent.evtx": (4, "MSExchange Management"),
            "exchange-management-set-mailbox-forwarding-wec.evtx": (0, ""),
            "iis-webshell-w3wp-spawns-cmd-sysmon.evtx": (4, "Microsoft-Windows-Sysmon/Operational"),
            "lsass-dump-comsvcs-minidump-security-4688.evtx": (28, "Security"),
            "lsass-dump-comsvcs-minidump-sysmon.evtx": (14 + 43, "Microsoft-Windows-Sysmon/Operational"),
            "security-benign-logons.evtx": (10, "Security"),
        ]
        for (name, want) in expected {
            let file = try XCTUnwrap(store.files.first { $0.path == name }, name)
            XCTAssertEqual(file.kind, .eventLog, name)
            XCTAssertEqual(file.eventCount, want.events, name)
            XCTAssertEqual(file.channel, want.channel, name)
        }
        let wec = try XCTUnwrap(store.files.first { $0.path == "exchange-management-set-mailbox-forwarding-wec.evtx" })
        XCTAssertEqual(wec.problems.kept.first?.line, 1)
        XCTAssertTrue(wec.problems.kept.first?.message.contains("unsupported type: 0x05") ?? false)
        let dirty = try XCTUnwrap(store.files.first { $0.path.hasPrefix("dirty-") })
        XCTAssertEqual(dirty.facts["evtx.dirty"], "true")
        XCTAssertEqual(dirty.facts["evtx.recovered"], "81")
        // Recovered slack records widen the range beyond the normal records (README §8, reference §4).
        XCTAssertEqual(Timestamp.iso(dirty.firstTime), "2018-08-07T14:42:23.823Z")
        XCTAssertEqual(Timestamp.iso(dirty.lastTime), "2018-08-08T16:40:15.820Z")
        let clean = try XCTUnwrap(store.files.first { $0.path.hasPrefix("security-benign") })
        XCTAssertEqual(clean.problems.total, 0)
        XCTAssertEqual(clean.facts["server"], "DESKTOP-JK4Q86I")
        // Events read back from the store by field name.
        let first = store.files.firstIndex { $0.path.hasPrefix("exchange-management-install") }!
        let id = (0..<store.count).first { Int(store.fileIndex[$0]) == first }!
        XCTAssertEqual(store.field("Data1", of: id), "Install-TransportAgent")
    }

    /// MSExchange CmdletLogs: classic events with unnamed values, positions as in the README (Data1 = Data[0]).
    func testExchangeCmdletLogValuesByPosition() throws {
        let r = try run("exchange-management-install-transport-agent.evtx")
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(r.output.channel, "MSExchange Management")
        XCTAssertEqual(r.field("EventRecordID", 0), "7184")
        XCTAssertEqual(r.field("EventID", 0), "6")
        XCTAssertEqual(r.field("Level", 0), "2")
        XCTAssertEqual(r.field("Provider", 0), "MSExchange CmdletLogs")
        XCTAssertEqual(r.field("Computer", 0), "exchange01.offsec.lan")
        XCTAssertEqual(r.field("Data1", 0), "Install-TransportAgent")
        XCTAssertEqual(r.field("Data2", 0), #"-Name "Evil" -AssemblyPath ".\NetshHelperBeacon.dll" -TransportAgentFactory "hack""#)
        XCTAssertEqual(r.field("Data3", 0), "offsec.lan/OFFSEC-COMPANY/Administrators/admmig")
        XCTAssertEqual(r.field("Data7", 0), "8372 w3wp#MSExchangePowerShellAppPool")
        XCTAssertTrue(r.field("Data12", 0)?.hasPrefix(#"System.ArgumentException: The Transport Agent assembly file ".\NetshHelperBeacon.dll" doesn't exist."#) ?? false)
        XCTAssertEqual(r.field("Data1", 2), "Enable-TransportAgent")
        XCTAssertEqual(r.field("Data2", 3), #"-Identity "hack""#)
        XCTAssertEqual(Timestamp.iso(r.time(0)), "2021-06-04T08:41:47.982Z")
        XCTAssertEqual(r.field("TimeCreated", 3), "2021-06-04T08:43:08.546Z")
        XCTAssertEqual((0..<4).map(r.line), [1, 2, 3, 4])
    }

    /// Security 4688/4624/5145 named values, and the interned user and client IP.
    func testSecurityNamedValuesAndInternedFields() throws {
        let r = try run("lsass-dump-comsvcs-minidump-security-4688.evtx")
        XCTAssertEqual(r.count, 28)
        XCTAssertEqual(count(r, eventID: "5145"), 11)
        XCTAssertEqual(count(r, eventID: "4624"), 5)
        XCTAssertEqual(count(r, eventID: "4688"), 3)
        XCTAssertEqual(count(r, eventID: "4656"), 2)
        let ps = try XCTUnwrap(r.events(where: "EventRecordID", is: "67747").first)
        XCTAssertEqual(r.field("NewProcessName", ps), #"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#)
        XCTAssertEqual(r.field("NewProcessId", ps), "0x0000000000000998")
        XCTAssertEqual(r.value(.user, ps), "FS03$")
        let dump = try XCTUnwrap(r.events(where: "EventRecordID", is: "67790").first)
        XCTAssertEqual(r.field("CommandLine", dump),
                       #""C:\Windows\System32\rundll32.exe"  C:\Windows\System32\comsvcs.dll MiniDump 512 \Windows\Temp\2V7Be7Gq.dmp full"#)
        let logons = r.events(where: "EventID", is: "4624")
        XCTAssertTrue(logons.allSatisfy { r.field("LogonType", $0) == "3" && r.value(.user, $0) == "admmig" })
        XCTAssertTrue(logons.allSatisfy { r.value(.clientIP, $0) == "10.23.123.11" })
        let share = try XCTUnwrap(r.events(where: "RelativeTargetName", is: #"Windows\Temp\2V7Be7Gq.dmp"#).first)
        XCTAssertEqual(r.field("ShareName", share), #"\\*\C$"#)
    }

    /// Sysmon values, and the Security records recovered from the Sysmon file's slack, kept and labelled.
    func testSysmonAndRecoveredSlackRecords() throws {
        let r = try run("lsass-dump-comsvcs-minidump-sysmon.evtx")
        let normal = (0..<r.count).filter { r.field("Recovered", $0) == nil }
        let recovered = (0..<r.count).filter { r.field("Recovered", $0) == "true" }
        XCTAssertEqual(normal.count, 14)
        XCTAssertEqual(recovered.count, 43)
        XCTAssertTrue(recovered.allSatisfy { r.field("Channel", $0) == "Security" && r.line($0) > 14 })
        XCTAssertEqual(r.output.facts["evtx.recovered"], "43")
        let open = try XCTUnwrap(r.events(where: "EventRecordID", is: "71673").first)
        XCTAssertEqual(r.field("EventID", open), "10")
        XCTAssertEqual(r.field("TargetImage", open), #"C:\Windows\system32\lsass.exe"#)
        XCTAssertEqual(r.field("GrantedAccess", open), "0x001fffff")
        XCTAssertTrue(r.field("CallTrace", open)?.contains("comsvcs.dll+3363a") ?? false)
        let ps = try XCTUnwrap(r.events(where: "EventRecordID", is: "71668").first)
        XCTAssertEqual(r.field("ParentImage", ps), #"C:\Windows\System32\wbem\WmiPrvSE.exe"#)
        XCTAssertEqual(r.value(.user, ps), #"OFFSEC\admmig"#)

        let w3wp = try run("iis-webshell-w3wp-spawns-cmd-sysmon.evtx")
        XCTAssertEqual(w3wp.count, 4)
        XCTAssertEqual(w3wp.field("Image", 0), #"C:\Windows\System32\cmd.exe"#)
        XCTAssertEqual(w3wp.field("ParentImage", 0), #"C:\Windows\System32\inetsrv\w3wp.exe"#)
        XCTAssertEqual(w3wp.field("UserSID", 0), "S-1-5-18")
    }

    /// Application: Provider is the provider Name (not EventSourceName); the Binary string is named.
    func testApplicationProvidersAndBinary() throws {
        let r = try run("application-benign-no-crc32.evtx")
        XCTAssertEqual(r.count, 17)
        XCTAssertEqual(Set((0..<r.count).compactMap { r.field("Provider", $0) }), [
            "SecurityCenter", "Microsoft-Windows-Winlogon", "Microsoft-Windows-User Profiles Service", "Microsoft-Windows-WMI",
            "Microsoft-Windows-Security-SPP", "ESENT", "Microsoft-Windows-Search",
        ])
        let winlogon = try XCTUnwrap(r.events(where: "EventRecordID", is: "428").first)
        XCTAssertEqual(r.field("EventID", winlogon), "6000")
        XCTAssertEqual(r.field("Data1", winlogon), "WSearch")
        XCTAssertEqual(r.field("Binary", winlogon), "D9060000")
        XCTAssertNil(r.field("Data2", winlogon))
        XCTAssertEqual(r.field("Data2", 1), "SECURITY_PRODUCT_STATE_ON")

        let sec = try run("security-benign-logons.evtx")
        let logon = try XCTUnwrap(sec.events(where: "EventRecordID", is: "31794").first)
        XCTAssertEqual(sec.field("LogonProcessName", logon), "Advapi  ")
        XCTAssertEqual(sec.field("TargetUserName", logon), "SYSTEM")
    }

    /// Unreadable and damaged files: the WEC record is a problem with its number, a dirty file loads,
    /// bytes without a usable location go through a temporary copy, garbage does not crash.
    func testDamagedInputs() throws {
        let wec = try run("exchange-management-set-mailbox-forwarding-wec.evtx")
        XCTAssertEqual(wec.count, 0)
        XCTAssertEqual(wec.output.problems.kept.map(\.line), [1])
        XCTAssertEqual(wec.output.facts["evtx.unreadable"], "1")

        let dirty = try run("dirty-appx-deployment-bad-chunk-magic.evtx", withLocation: false)
        XCTAssertEqual(dirty.count, 348)
        XCTAssertEqual(Set((0..<dirty.count).compactMap { dirty.field("EventRecordID", $0) }).count, 348)
        XCTAssertTrue(dirty.output.problems.kept.contains { $0.message.contains("dirty") })

        let header = Array("ElfFile\0".utf8) + [UInt8](repeating: 0, count: 100)
        let junk = ReaderRun(EvtxReader(), path: "x.evtx", bytes: header)
        XCTAssertEqual(junk.count, 0)
        XCTAssertTrue(junk.output.problems.kept.first?.message.hasPrefix("cannot open as EVTX") ?? false)
        XCTAssertEqual(EvtxReader().score(path: "x.evtx", head: UnsafeRawBufferPointer(start: nil, count: 0)), 0)
    }
}

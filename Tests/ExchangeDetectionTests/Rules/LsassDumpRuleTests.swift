@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// `process.lsass-dump` on Sysmon records built from the real recordings' shapes (`Fixtures/lsass`): a comsvcs
/// MiniDump of notepad.exe (the near miss a real recording holds), two LSASS dumps twenty minutes apart,
/// Sysmon 10 and Sysmon 11 on their own, and Defender/svchost reading LSASS.
@Suite struct LsassDumpRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("lsass") }

    @Test func eachDumpIsItsOwnFindingAndNotepadIsNone() {
        let f = Hunter.byTime(RuleFixtures.run("process.lsass-dump", on: store))
        #expect(f.count == 4)
        #expect(!f.contains { $0.summary.contains("notepad") })
        #expect(f[0].summary.contains("MiniDump 712") && f[0].summary.contains("rundll32.exe opened lsass.exe (event 10, access 0x1fffff)"))
        #expect(f[0].events.count == 3)      // start, lsass.exe opened, a.dmp written
        #expect(f[1].summary.contains("procdump64.exe -accepteula -ma 712"))
        #expect(f[2].summary == "svch.exe opened lsass.exe with access 0x1010 (Sysmon 10)")
        #expect(f[3].summary == "procdump.exe wrote 'C:\\Windows\\Temp\\lsass_220301.dmp' (Sysmon 11)")
        #expect(f.allSatisfy { $0.severity == .critical })
        // Defender (MsMpEng.exe) and svchost reading LSASS are no findings.
        #expect(!f.contains { $0.summary.contains("MsMpEng") || $0.summary.contains("svchost") })
    }

    @Test func dumpTargets() {
        #expect(LsassDumpProcessRule.target(of: "rundll32 comsvcs.dll, MiniDump (Get-Process lsass).Id x.dmp full") == .lsass)
        #expect(LsassDumpProcessRule.target(of: "\"C:\\Windows\\System32\\rundll32.exe\"  C:\\Windows\\System32\\comsvcs.dll MiniDump 512 \\Windows\\Temp\\x.dmp full") == .pid(512))
        #expect(LsassDumpProcessRule.target(of: "procdump.exe -ma notepad.exe n.dmp") == .named("notepad.exe"))
        #expect(LsassDumpProcessRule.target(of: "procdump64.exe -accepteula -ma 712 b.dmp") == .pid(712))
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe shell32.dll,Control_RunDLL") == nil)
        // The dump file's name does not name the target.
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\lsass.dmp full") == .pid(624))
        #expect(LsassDumpProcessRule.target(of: "procdump.exe -accepteula -ma lsass.exe C:\\windows\\temp\\l.dmp") == .lsass)
        #expect(LsassDumpProcessRule.Record.number("0x0000000000000ff8") == 0xff8)
        // The export by ordinal and by its W name (reviewer: `comsvcs.dll #24 624 C:\temp\lsass.dmp full` missed).
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe C:\\windows\\system32\\comsvcs.dll #24 624 C:\\temp\\lsass.dmp full") == .pid(624))
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe comsvcs.dll, #24 (Get-Process lsass).id out.dmp full") == .lsass)
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe comsvcs.dll MiniDumpW 624 C:\\temp\\lsass.dmp full") == .pid(624))
        #expect(LsassDumpProcessRule.target(of: "rundll32 C:\\Windows\\System32\\comsvcs.dll #+0000^24 712 x.dmp full") == .pid(712))
        #expect(LsassDumpProcessRule.target(of: "rundll32 comsvcs.dll #-4294967272 712 x.dmp full") == .pid(712))
        // Another ordinal of comsvcs is not the dump export.
        #expect(LsassDumpProcessRule.target(of: "rundll32.exe comsvcs.dll #25 624 x.dmp") == nil)
    }

    @Test func aPidIsJudgedByTheProcessTheEventsNameAndAnUnknownOneIsMedium() throws {
        // No Sysmon 10 here: notepad.exe's own start event names PID 4242; nothing names PID 9999.
        let s = try RuleFixtures.store("lsass-pid")
        let f = RuleFixtures.run("process.lsass-dump", on: s)
        #expect(f.count == 1)
        #expect(f.first?.severity == .medium)
        #expect(f.first?.title == "Process memory dumped (target not identified)")
        #expect(f.first?.summary.contains("target PID 9999 not identified by the loaded events") == true)
    }
}

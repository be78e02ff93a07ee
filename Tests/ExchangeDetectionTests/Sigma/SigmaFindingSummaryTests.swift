@testable import ExchangeDetection
import Testing

/// A Sigma finding's summary quotes the values that decided it, on every event of its burst (reviewer: a condition
/// list `[a, b]` read `Image=…\net.exe (2 events)` where the second event was `net1.exe`; a list of maps quoted a
/// map that did not hold; a keyword said `in CommandLine` where three of five events held it in
/// `RelativeTargetName`). Fixture records: Sysmon 1 101 `cmd.exe` (user SYSTEM, parent `…\inetsrv\w3wp.exe`),
/// 102 `conhost.exe`, 107 `net.exe` (user `CONTOSO\Admin`); Sysmon 11 201 written by `…\inetsrv\w3wp.exe`.
@Suite struct SigmaFindingSummaryTests {
    func summaries(_ detection: String, _ logsource: String = SigmaFixture.process) throws -> [String] {
        let rule = try SigmaFixture.parse(SigmaFixture.rule(logsource, detection))
        return SigmaPass(rules: [rule]).run(on: SigmaFixture.store).map(\.summary)
    }

    @Test func eachPartOfAConditionListIsQuoted() throws {
        #expect(try summaries("""
                a:
                    Image|endswith: '\\net.exe'
                b:
                    Image|endswith: '\\conhost.exe'
                condition:
                    - a
                    - b
            """) == ["Image=C:\\Windows\\System32\\conhost.exe | C:\\Windows\\System32\\net.exe (2 events)"])
    }

    /// Both maps' fields hold on both events here; each event is described by the map that held for it.
    @Test func aListOfMapsQuotesTheMapThatHeld() throws {
        #expect(try summaries("""
                selection:
                    - Image|endswith: '\\net.exe'
                      CommandLine|contains: ' /'
                    - Image|endswith: '\\cmd.exe'
                      User|contains: 'a'
                condition: selection
            """) == ["Image=C:\\Windows\\System32\\cmd.exe User=NT AUTHORITY\\SYSTEM; "
                     + "Image=C:\\Windows\\System32\\net.exe CommandLine=net  user  hacker P@ss /ADD (2 events)"])
    }

    @Test func aKeywordNamesEveryFieldItWasFoundIn() throws {
        #expect(try summaries("""
                keywords:
                    - '*inetsrv\\w3wp.exe'
                condition: keywords
            """, "product: windows\n  service: sysmon") == ["keywords 'inetsrv\\w3wp.exe' in Image | ParentImage (2 events)"])
    }
}

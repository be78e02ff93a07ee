@testable import ExchangeDetection
import Testing

/// A plain integer value equals the event's value written in the other notation (reviewer: `ProcessId: 2456`
/// found nothing in Security 4688, which logs `NewProcessId=0x998`, though `gte`/`lte` did). Fixture records:
/// 301 Security 4688 with `NewProcessId=0x1f30` (7984) and `ProcessId=0x5e4` (1508); Sysmon 1 records 101–107
/// with decimal ids (103: `ProcessId=5000`, 104: `ParentProcessId=5000`).
@Suite struct SigmaIntegerTests {
    func hits(_ selection: String) throws -> [String] {
        try SigmaFixture.hits(SigmaFixture.rule("""
                sel:
                    \(selection)
                condition: sel
            """))
    }

    @Test func aDecimalValueMatchesTheHexOf4688() throws {
        #expect(try hits("ProcessId: 7984") == ["rec:301"])
        #expect(try hits("ParentProcessId: 1508") == ["rec:301"])
        #expect(try hits("ProcessId: [4120, 7984]") == ["rec:102", "rec:301"], "a list: any value, each read both ways")
    }

    @Test func aHexValueMatchesDecimalAndOtherPaddings() throws {
        #expect(try hits("ProcessId: '0x1388'") == ["rec:103"], "0x1388 is 5000, which Sysmon writes in decimal")
        #expect(try hits("ProcessId: 0X1F30") == ["rec:301"])
        #expect(try hits("ProcessId: '0x00001f30'") == ["rec:301"], "Windows pads hex; two hex spellings are one integer")
    }

    /// Only plain values: wildcards, anchors and decimal against decimal keep the text comparison.
    @Test func otherValuesStayText() throws {
        #expect(try hits("ProcessId: '05000'") == [], "two decimal spellings are compared as text")
        #expect(try hits("ProcessId: '0x1f3*'") == ["rec:301"])
        #expect(try hits("ProcessId: '798*'") == [], "a wildcard value is text: 7984 is not how 4688 spells it")
        #expect(try hits("ProcessId|contains: '7984'") == [])
        #expect(try hits("ProcessId|endswith: '1f30'") == ["rec:301"])
    }

    /// The event side: only a value that reads as an integer in full, in 64 bits, is one.
    @Test(arguments: [
        ("2456", "0x998", true), ("2456", "0X0998", true), ("2456", "0x998 ", false), ("2456", "0x", false),
        ("2456", "0x99g", false), ("2456", "2456", true), ("2456", "02456", false), ("0x998", "2456", true),
        ("0x998", "0x00998", true), ("0x998", "+2456", false), ("0x998", "2456.0", false), ("0", "0x0", true),
        ("18446744073709551615", "0xffffffffffffffff", true), ("18446744073709551616", "0x10000000000000000", false),
        ("0x10000000000000000", "18446744073709551616", false), ("0x1g", "0x1g", true), ("0x1g", "0x1G", true),
    ])
    func anEventValueIsTheIntegerOnlyWhenItReadsAsOne(_ rule: String, _ event: String, _ expected: Bool) throws {
        let item = try SigmaModifiers.item(key: "ProcessId", values: [.text(rule)])
        #expect(SigmaMatch.holds(item, event) == expected)
    }
}

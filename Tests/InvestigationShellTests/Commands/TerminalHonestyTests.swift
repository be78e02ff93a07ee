import Foundation
import InvestigationShell
import Testing

/// Small honesty fixes from the first-use report: reversed ranges, missing folders, option suggestions,
/// the filtered-out count of one server, and finding summaries in the session's zone.
@Suite struct TerminalHonestyTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    @Test func reversedRangeMissingFolderAndOptionSuggestions() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        #expect(t.failure("timeline --from 2021-03-05 --to 2021-03-01").contains("the range is reversed"))
        #expect(try t.run("timeline --from 2021-03-01 --to 2021-03-01 --limit 1").contains("2021-03-01"))
        #expect(t.failure("report /no/such/dir/x.html") == "report: cannot write /no/such/dir/x.html: the folder /no/such/dir does not exist")
        #expect(t.failure("hunt --severity high").hasSuffix("(did you mean --min-severity?)"))
        #expect(t.failure("hunt --sever EX01").hasSuffix("(did you mean --server?)"))
    }

    @Test func oneServersFilteredOutCountAndSummaryTimesInTheZone() throws {
        let t = TestShell()
        try t.run("load \(Self.training)")
        let ex02 = try t.run("hunt --server EX02")
        #expect(!ex02.contains("filtered out"), "EX01's findings are not EX02's filtered-out ones: \(ex02)")
        #expect(try t.shown("hunt --server EX01 --min-severity critical").contains("(15 filtered out)"), "EX01 has 23 findings, 8 of them critical")
        try t.run("set timezone America/New_York")
        let ny = try t.run("hunt --rule chain.proxylogon")
        #expect(ny.hasPrefix("times in America/New_York"), "\(ny)")
        #expect(ny.contains("2021-03-03 01:49:42  chain.proxylogon") && ny.contains("SSRF 2021-03-03 01:49:42"), "\(ny)")
        #expect(!ny.contains("06:49:42"), "no UTC time left in the summary: \(ny)")
    }
}

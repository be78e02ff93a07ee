import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// The file-byte scan behind `--contains` on large loads must flag exactly the events a line-by-line check finds.
@Suite struct ContainsScanTests {
    @Test func scanAgreesWithTheLineCheck() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let store = t.session.store
        for text in ["supp0rt", "SUPP0RT.aspx", "python-requests", "ServerInfo~", "e", "0", "\"", "no such text at all"] {
            let needle = Array(text.lowercased().utf8)
            let flags = ContainsScan.events(containing: needle, in: store) { _ in true }
            let expected = (0..<store.count).map { e in store.withRawLine(e) { TimelineQuery.contains($0, needle) } }
            #expect(flags == expected, "\(text)")
        }
    }

    @Test func matchesFindEveryCaseVariant() {
        let hay = Array("xAbC abc ABC ab".utf8)
        let found = hay.withUnsafeBytes { ContainsScan.matches(Array("abc".utf8), in: $0) }
        #expect(found == [1, 5, 9])
        let digits = Array("a1b a1B".utf8).withUnsafeBytes { ContainsScan.matches(Array("1b".utf8), in: $0) }
        #expect(digits == [1, 5])
    }
}

/// A query switches from line checks to the file scan midway; the result must not change.
@Suite(.serialized) struct DeferredScanTests {
    @Test func switchingToTheScanKeepsTheResult() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let queries = ["timeline --json --contains post", "timeline --json --contains 167.99.168.251 --contains ecp",
                       "timeline --json --server EX01 --contains supp0rt", "timeline --json --contains ServerInfo --limit 5"]
        let before = try queries.map { try t.run($0) }
        let saved = TimelineQuery.scanBudget
        TimelineQuery.scanBudget = 10
        defer { TimelineQuery.scanBudget = saved }
        #expect(try queries.map { try t.run($0) } == before)
    }
}

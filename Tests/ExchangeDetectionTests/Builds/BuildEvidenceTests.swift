@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// Builds stated by saved command output, as `load` keeps it (one event per non-empty line).
@Suite struct BuildEvidenceTests {
    /// An org-wide `Get-ExchangeServer | fl Name,AdminDisplayVersion` at the top of a collection: each block is its
    /// server's (reviewer: the empty lines between blocks were not kept, and every build went to the last name).
    @Test func anOrgWideListGivesEachServerItsOwnBuild() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-builds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = "\r\nName                : EX05\r\nAdminDisplayVersion : Version 15.2 (Build 792.3)\r\n\r\n"
            + "Name                : EX04\r\nAdminDisplayVersion : Version 15.1 (Build 2176.2)\r\n\r\n"
            + "Name                : EX06\r\nAdminDisplayVersion : Version 15.1 (Build 1713.5)\r\n\r\n"
        try text.write(to: dir.appendingPathComponent("exchangeserver.txt"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        let reported = BuildEvidence.reportedBuilds(in: store).map { "\($0.server) \($0.reading.build)" }.sorted()
        #expect(reported == ["EX04 15.1.2176.2", "EX05 15.2.792.3", "EX06 15.1.1713.5"])
    }
}

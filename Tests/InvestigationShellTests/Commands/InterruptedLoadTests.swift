import Foundation
@testable import InvestigationShell
import Testing

/// A load Ctrl-C stopped leaves part of its evidence set unread: `info` and the report say so until the set is
/// loaded again to the end (reviewer: the report said every file was read, and servers never reached were in it
/// nowhere).
@Suite struct InterruptedLoadTests {
    /// Answers "cancelled" from the `after`-th question on (load workers ask from several threads).
    final class CancelAfter: @unchecked Sendable {
        private let lock = NSLock()
        private var asked = 0
        private let after: Int
        init(_ after: Int) { self.after = after }
        func ask() -> Bool { lock.withLock { asked += 1; return asked > after } }
    }

    @Test func anInterruptedSetIsSaidToBePartlyRead() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for server in ["BIG01", "BIG02", "BIG03"] {
            for day in 1...5 {
                try ShellHarness.iisEvidence(["2021-03-0\(day) 03:41:00 10.0.10.12 GET /owa/ - 443 - 10.0.0.5 Mozilla/5.0 - 200 0 0 5"],
                                             server: server, in: dir, name: "u_ex21030\(day).log")
            }
        }
        let evidence = dir.appendingPathComponent("ev").path
        let t = TestShell()
        let cancel = CancelAfter(3)
        t.session.isCancelled = { cancel.ask() }
        try t.run("load '\(evidence)'")
        t.session.isCancelled = { false }
        let read = t.session.store.files.count
        try #require(read < 15, "the load stopped early")
        #expect(try t.run("info").contains("interrupted:   ev: Ctrl-C stopped its load after \(LoadCommand.count(read, "file")); "
                                           + "the rest is not read ('load' it again to read it)"))
        let report = dir.appendingPathComponent("r.md")
        try t.run("report '\(report.path)'")
        let md = try String(contentsOf: report, encoding: .utf8)
        #expect(!md.contains("None: every evidence file found was read."))
        #expect(md.contains("the load of evidence set 'ev' was interrupted (Ctrl-C) after \(LoadCommand.count(read, "file"))"))

        // Loaded again to the end: the set is whole, and nothing is said any more.
        try t.run("load '\(evidence)'")
        #expect(t.session.store.files.count == 15)
        #expect(!(try t.run("info")).contains("interrupted"))
        try t.run("report '\(report.path)' --force")
        #expect(try String(contentsOf: report, encoding: .utf8).contains("None: every evidence file found was read."))
    }
}

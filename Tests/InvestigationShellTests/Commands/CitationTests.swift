import Foundation
import Testing

/// Two hosts' collections of one layout (KAPE or CyLR output named by host, loaded set by set) hold different
/// files at the same path: every `FILE:LINE` the shell prints must name one event, and `show` must read it back.
@Suite struct CitationTests {
    static let path = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"

    /// Folders EX07 and EX08, each with the same member path and a web-shell request from its own address.
    static func collections() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-cite-\(UUID().uuidString)")
        for (host, n) in [("EX07", 7), ("EX08", 8)] {
            let log = dir.appendingPathComponent("\(host)/\(path)")
            try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
            let text = "#Software: Microsoft Internet Information Services 10.0\r\n"
                + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\r\n"
                + "2021-03-03 06:49:4\(n) 10.0.0.5 POST /aspnet_client/system_web/discover.aspx - 443 - 203.0.113.\(n) python-requests/2.25 200\r\n"
            try Data(text.utf8).write(to: log)
        }
        return dir
    }

    /// `sources --problems` cites a file as `show` takes it (reviewer: it printed the bare path, which `show` refused
    /// as matching two files).
    @Test func problemsAreCitedWithTheSetsName() throws {
        let dir = try Self.collections()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("EX08/\(Self.path)")
        try Data((try String(contentsOf: log, encoding: .utf8) + "not a log line\r\n").utf8).write(to: log)
        let t = TestShell()
        try t.run("load \(dir.path)/EX07")
        try t.run("load \(dir.path)/EX08")
        #expect(try t.run("sources --problems").contains("EX08  EX08/\(Self.path): "))
        #expect(try t.run("sources --problems --json").contains("\"file\": \"EX08/\(Self.path)\""))
    }

    @Test func theSamePathInTwoSetsIsCitedWithTheSetsName() throws {
        let dir = try Self.collections()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load \(dir.path)/EX07")
        // One set alone: the plain path, as before.
        #expect(try t.run("hunt").contains("  \(Self.path):3  "))
        try t.run("load \(dir.path)/EX08")
        let hunt = try t.run("hunt")
        #expect(hunt.contains("EX07/\(Self.path):3") && hunt.contains("EX08/\(Self.path):3"))

        // What hunt printed reads back to that set's event, and so does a set's name before a path's ending.
        #expect(try t.run("show EX08/\(Self.path):3").contains("203.0.113.8"))
        #expect(try t.run("show EX07/u_ex210303.log:3").contains("203.0.113.7"))
        #expect(try t.run("show ex07/u_ex210303.log:3").contains("203.0.113.7"), "a set name in any case")
        let ambiguous = t.failure("show u_ex210303.log:3")
        #expect(ambiguous.contains("matches 2 files (EX07/\(Self.path), EX08/\(Self.path))"), "\(ambiguous)")

        // Timeline and JSON cite the same way.
        #expect(try t.run("timeline --json").contains("\"file\":\"EX08/\(Self.path)\",\"line\":3"))
        let shown = try JSONSerialization.jsonObject(with: Data(try t.run("show 1 --json").utf8)) as! [String: Any]
        #expect(shown["file"] as? String == "EX08/\(Self.path)")

        // Timesketch rows too, whether cited by a finding (the general writer) or not (the fast one), CSV and JSONL.
        for name in ["t.csv", "t.jsonl"] {
            let out = dir.appendingPathComponent(name)
            try t.run("export timeline \(out.path)")
            let text = try String(contentsOf: out, encoding: .utf8)
            #expect(text.contains("EX07/\(Self.path)") && text.contains("EX08/\(Self.path)"), "\(text)")
        }

        // The chain of custody says which set each file is: `sources --files` and the report's table of files.
        let files = try t.run("sources --files")
        #expect(files.contains("EX07/\(Self.path)") && files.contains("EX08/\(Self.path)"), "\(files)")
        let report = dir.appendingPathComponent("r.md")
        try t.run("report \(report.path)")
        let md = try String(contentsOf: report, encoding: .utf8)
        #expect(md.contains("| EX07 | `EX07/\(Self.path)` |") && md.contains("| EX08 | `EX08/\(Self.path)` |"))
    }

    /// Two collections in folders of one name (two runs of a collector for one host) become two sets of two
    /// names, so `SET/PATH` tells them apart; a name given twice is refused.
    @Test func aSecondFolderOfTheSameNameIsNumbered() throws {
        let first = try Self.collections(), second = try Self.collections()
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        let t = TestShell()
        try t.run("load \(first.path)/EX07")
        try t.run("load \(second.path)/EX07")
        #expect(t.output.stderr.contains("a set named 'EX07' is already loaded from another path: this one is 'EX07-2'"))
        #expect(try t.run("show EX07-2/\(Self.path):3").contains("203.0.113.7"))
        #expect(t.failure("load \(second.path)/EX08 --name ex07").contains("an evidence set named 'ex07' is already loaded"))
    }

    /// A file whose whole path is the word is that file, even where another set's longer path ends with it.
    @Test func aWholePathIsTakenBeforeALongerPathEndingWithIt() throws {
        let dir = try Self.collections()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TestShell()
        try t.run("load \(dir.path)/EX07")
        try t.run("load \(dir.path) --name both")
        #expect(try t.run("show \(Self.path):3").contains("203.0.113.7"))
        #expect(try t.run("show EX08/\(Self.path):3").contains("203.0.113.8"))
    }
}

@testable import ExchangeDetection
import Foundation
import Testing

/// A Sigma load problem names the line of the key concerned (reviewer: a repeated id and an unmapped log source
/// were reported at line 1, an unclosed `[` of an 8-line file pointed at `(line 9)`).
@Suite struct SigmaLoadLineTests {
    static let rule = """
        title: Line test
        id: 9c1f3a52-7d4e-4b6a-8e21-5f0c2d9b7a34
        logsource:
          product: linux
          category: process_creation
        detection:
          selection:
            Image|endswith: '/sh'
          condition: selection

        """

    @Test func anUnmappedLogSourceIsReportedAtItsKey() {
        let problems = SigmaFileLoader().load(path: "l.yml", bytes: Array(Self.rule.utf8)).problems
        #expect(problems.map(\.line) == [3])
        #expect(problems.first?.reason.contains("is not mapped") == true)
    }

    @Test func aRepeatedIdIsReportedAtItsKeyInBothFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-lines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let windows = Self.rule.replacingOccurrences(of: "  product: linux\n", with: "  product: windows\n")
        try ("# a comment first\n" + windows).write(to: dir.appendingPathComponent("a.yml"), atomically: true, encoding: .utf8)
        try windows.write(to: dir.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        let report = try RuleLibrary().load(dir.path)
        #expect(report.loaded == 1)
        #expect(report.problems.map(\.line) == [2])
        #expect(report.problems.first?.reason == "id 9c1f3a52-7d4e-4b6a-8e21-5f0c2d9b7a34 is already loaded from \(dir.path)/a.yml:3")
    }

    @Test func yamlThatRunsOutOfTextSaysSoInsteadOfALineThatIsNotThere() {
        let broken = Self.rule.replacingOccurrences(of: "'/sh'\n  condition: selection\n", with: "['/sh',\n  condition: selection\n")
        #expect(broken.split(separator: "\n").count == 9)
        let problems = SigmaParser.parse(broken, file: "b.yml").problems
        #expect(problems.map(\.line) == [8], "the line of the unclosed '['")
        #expect(problems.first?.reason.hasSuffix("(at the end of the file)") == true, "\(problems.first?.reason ?? "")")
        // A document followed by another ends before the next `---`.
        let two = SigmaParser.parse(broken + "---\n" + Self.rule, file: "b.yml").problems
        #expect(two.first?.reason.contains("(line 10)") == false, "\(two.first?.reason ?? "")")
    }
}

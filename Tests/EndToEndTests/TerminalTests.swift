import Foundation
import Testing

/// The shell in a real terminal (tmux, 120 columns): long results page through `less -FRX` with colour and
/// no raw escape codes, tables fit the width, `help` shows its Markdown as text, the timer comes after the
/// output, Ctrl-D leaves the prompt's line ended.
@Suite(.serialized) struct TerminalTests {
    @Test func pagerTablesHelpTimerAndEndOfInput() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            Issue.record("tmux is not installed (scripts/setup installs it)")
            return
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let t = try TmuxSession(environment: ["HOME": home.path, "EXHUNT_HISTORY": home.appendingPathComponent("h").path])
        #expect(t.waitFor("exhunt> "), "no prompt: \(t.screen())")
        try t.type("load demo"); try t.key("Enter")
        #expect(t.waitFor("loaded training"))

        // A long hunt goes through less with colour understood: no ESC[31m shown as text.
        try t.type("hunt"); try t.key("Enter")
        #expect(t.waitFor("HIGH"), "\(t.screen())")
        let paged = t.screen()
        #expect(!paged.contains("ESC[") && !paged.contains("^[["), "raw colour codes in the pager: \(paged)")
        try t.key("q")
        #expect(t.waitFor("exhunt> ", occurrences: 3), "\(t.screen())")

        // Tables fit the window: no line of `sources --files` (paths and SHA-256) is wider than 120 columns.
        try t.type("sources --files"); try t.key("Enter")
        #expect(t.waitFor("sha256"))
        let table = t.screen()
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= t.width }, "\(table)")
        #expect(table.contains("…"), "long paths lose their middle: \(table)")
        #expect(table.contains(".LOG "), "…and keep the file name: \(table)")
        #expect(table.range(of: "[0-9a-f]{64}", options: .regularExpression) != nil, "digests are never cut: \(table)")
        try t.key("q")
        #expect(t.waitFor("exhunt> ", occurrences: 4), "\(t.screen())")

        // help shows text, not Markdown.
        try t.type("help record"); try t.key("Enter")
        #expect(t.waitFor("RECORD"), "\(t.screen())")
        let help = t.screen()
        #expect(!help.contains("# record") && !help.contains("`"), "\(help)")
        try t.key("q")
        #expect(t.waitFor("exhunt> ", occurrences: 5), "\(t.screen())")

        // The timer comes after the command's output.
        try t.type("set timer on"); try t.key("Enter")
        #expect(t.waitFor("exhunt> ", occurrences: 6), "\(t.screen())")
        try t.type("info"); try t.key("Enter")
        #expect(t.waitFor("Run Time"), "\(t.screen())")
        let timed = t.history()
        let info = try #require(timed.range(of: "evidence sets:", options: .backwards))
        let timer = try #require(timed.range(of: "Run Time", options: .backwards))
        #expect(info.lowerBound < timer.lowerBound, "\(timed.suffix(600))")

        // Ctrl-D: exhunt ends, and the prompt's line is ended (the next shell prompt starts on its own line).
        #expect(t.waitFor("exhunt> ", occurrences: 7), "\(t.screen())")
        try t.key("C-d")
        let deadline = Date().addingTimeInterval(10)
        while !t.exited(), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(t.exited())
        let last = t.screen().split(separator: "\n", omittingEmptySubsequences: false)
        let promptLine = try #require(last.lastIndex { $0.hasPrefix("exhunt> ") })
        #expect(last[(promptLine + 1)...].contains { $0.hasPrefix("Pane is dead") || $0.isEmpty }, "\(last)")
    }
}

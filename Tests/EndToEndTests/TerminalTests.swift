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
        #expect(t.waitFor("CRITICAL"), "\(t.screen())")
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

/// Ctrl-C during a command: the command stops and says so once (no "error: interrupted" and then
/// "interrupted" again), and the shell gives a fresh prompt.
@Suite(.serialized) struct InterruptTests {
    /// 80 IIS logs of 4,000 lines each (about 50 MiB): long enough to load that Ctrl-C lands during it.
    static func bigEvidence(_ dir: URL) throws {
        let header = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-02-25 00:00:00\n"
            + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
        let folder = dir.appendingPathComponent("EX09/C/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for f in 0..<80 {
            var text = header
            for i in 0..<4000 {
                text += "2021-02-25 \(String(format: "%02d:%02d:%02d", f % 24, i / 60 % 60, i % 60)) 10.0.0.11 POST /mapi/nspi/ "
                    + "&CorrelationID=<empty>;&cafeReqId=2e7a9092-ad31-3aff-f427-\(String(format: "%012d", f * 4000 + i)); 443 "
                    + "contoso\\user\(i % 200) 203.0.113.\(i % 250) Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro) - 200 0 0 15\n"
            }
            try text.write(to: folder.appendingPathComponent("u_ex2102\(String(format: "%04d", f)).log"), atomically: false, encoding: .utf8)
        }
    }

    @Test func ctrlCDuringALoadSaysSoOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-int-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.bigEvidence(dir)
        let pty = try PseudoTerminal(environment: ["HOME": dir.path, "EXHUNT_HISTORY": dir.appendingPathComponent("h").path, "PAGER": ""])
        try #require(pty.expectPrompt(occurrences: 1), "\(pty.screen)")
        pty.type("load \(dir.path)\r")
        Thread.sleep(forTimeInterval: 0.3)
        pty.type("\u{03}")
        try #require(pty.expectPrompt(occurrences: 2, timeout: 60), "\(pty.screen)")
        let after = pty.screen.components(separatedBy: "load \(dir.path)").last ?? ""
        let said = after.components(separatedBy: "interrupted").count - 1
        if after.contains("load interrupted") {
            #expect(said == 1, "one message: \(after.debugDescription)")
        } else {
            // The load finished before the Ctrl-C was seen: then the shell says it once, after the output.
            #expect(said == 1 && after.contains("loaded "), "\(after.debugDescription)")
        }
        #expect(!after.contains("error: interrupted"))
        pty.type("\u{04}")
        #expect(pty.waitForExit() == 0)
    }
}

import Foundation
import Testing

/// The interactive shell through a pseudo-terminal: prompt, Tab completion of a command name, history with
/// Up, non-ASCII input, Ctrl-C cancelling the line without killing the shell (even when typed right after
/// the last key), the lesson prompt, and Ctrl-D leaving with 0.
@Suite(.serialized) struct InteractiveShellTests {
    @Test func promptCompletionHistoryInterruptAndEndOfInput() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let history = home.appendingPathComponent("history").path
        let pty = try PseudoTerminal(environment: ["HOME": home.path, "EXHUNT_HISTORY": history])

        try #require(pty.expectPrompt(occurrences: 1), "no prompt: \(pty.screen)")
        #expect(pty.screen.contains("exhunt — type 'help'"))

        pty.type("set A 1\r")
        try #require(pty.expectPrompt(occurrences: 2), "\(pty.screen)")

        pty.type("inf\t\r")                                 // unique prefix: Tab completes to "info "
        #expect(pty.readUntil("evidence sets: none"))
        try #require(pty.expectPrompt(occurrences: 3), "\(pty.screen)")

        pty.type("\u{1B}[A\r")                              // Up recalls "info"
        #expect(pty.readUntil("evidence sets: none", occurrences: 2))
        try #require(pty.expectPrompt(occurrences: 4), "\(pty.screen)")

        pty.type("set C café\r")                          // non-ASCII input reaches the shell whole
        try #require(pty.expectPrompt(occurrences: 5), "\(pty.screen)")

        // Ctrl-C straight after the keys, while libedit may still be echoing them: no pause needed.
        for round in 1...5 {
            pty.type("set B ü\(round)")
            #expect(pty.readUntil("set B ü\(round)"))
            pty.type("\u{03}")
            #expect(pty.readUntil("^C", occurrences: round), "\(pty.screen.debugDescription)")
            try #require(pty.expectPrompt(occurrences: 5 + round), "Ctrl-C must give a fresh prompt: \(pty.screen.debugDescription)")
        }
        // A pasted line keeps libedit busy between its reads, so Ctrl-C often arrives in that gap, and the
        // terminal drops the unread rest of the paste. libedit's own reader lost it there (3 runs in 6).
        pty.type("set B " + String(repeating: "é", count: 1000))
        #expect(pty.readUntil("set B éé"))
        pty.type("\u{03}")
        #expect(pty.readUntil("^C", occurrences: 6), "\(pty.screen.debugDescription)")
        try #require(pty.expectPrompt(occurrences: 11), "Ctrl-C during a paste: \(pty.screen.debugDescription)")
        pty.type("set\r")
        #expect(pty.readUntil("$A = 1"))
        try #require(pty.expectPrompt(occurrences: 12), "\(pty.screen)")
        #expect(pty.screen.contains("$C = café"), "\(pty.screen.debugDescription)")
        #expect(!pty.screen.contains("$B = "), "the cancelled line did not run")

        pty.type("lesson 1\r")                              // the prompt shows the lesson step
        try #require(pty.expectPrompt("exhunt (lesson 1, step 1/", occurrences: 1, timeout: 30), "\(pty.screen)")
        pty.type("exit\r")
        #expect(pty.readUntil("Left lesson 1 at step 1"))
        try #require(pty.expectPrompt(occurrences: 13), "exit leaves the lesson, not the shell: \(pty.screen)")

        pty.type("\u{04}")                                  // Ctrl-D on an empty line
        #expect(pty.waitForExit() == 0)
        #expect(pty.screen.unicodeScalars.last == "\n", "Ctrl-D ends the prompt's line: \(pty.screen.suffix(40).debugDescription)")
        let saved = (try? String(contentsOfFile: history, encoding: .utf8)) ?? ""
        #expect(saved.contains("set\\040A\\0401"), "history is saved in libedit's format: \(saved)")
        #expect(!saved.contains("set\\040B"))
    }

    /// Lowering a mark's label asks at the prompt instead of needing --force; "n" leaves the mark alone.
    @Test func markAsksBeforeLoweringALabel() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let pty = try PseudoTerminal(environment: ["HOME": home.path, "EXHUNT_HISTORY": home.appendingPathComponent("history").path])
        try #require(pty.expectPrompt(occurrences: 1), "no prompt: \(pty.screen)")
        pty.type("load demo; case new \(home.appendingPathComponent("t.case").path)\r")
        try #require(pty.expectPrompt(occurrences: 2, timeout: 60), "\(pty.screen)")
        pty.type("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious\r")
        try #require(pty.expectPrompt(occurrences: 3), "\(pty.screen)")
        pty.type("mark Ecp/HttpProxy_2021030306-1.LOG:6 as benign\r")
        #expect(pty.readUntil("Lower to benign? [y/N] "), "\(pty.screen)")
        pty.type("n\r")
        #expect(pty.readUntil("error: mark: nothing changed"))
        try #require(pty.expectPrompt(occurrences: 4), "\(pty.screen)")
        pty.type("mark Ecp/HttpProxy_2021030306-1.LOG:6 as benign\r")
        #expect(pty.readUntil("Lower to benign? [y/N] ", occurrences: 2))
        pty.type("y\r")
        #expect(pty.readUntil("now benign"), "\(pty.screen)")
        try #require(pty.expectPrompt(occurrences: 5), "\(pty.screen)")
        pty.type("\u{04}")
        #expect(pty.waitForExit() == 0)
    }
    /// The case file alone holds the work, while the shell is open and after it ends: a colleague is handed
    /// the one file (reviewer: after an interactive session it was an empty database, the marks in `-wal`).
    @Test func theCaseFileAloneHoldsTheMarks() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent("t.case").path
        let pty = try PseudoTerminal(environment: ["HOME": home.path, "EXHUNT_HISTORY": home.appendingPathComponent("history").path])
        try #require(pty.expectPrompt(occurrences: 1), "no prompt: \(pty.screen)")
        pty.type("load demo; case new \(path)\r")
        try #require(pty.expectPrompt(occurrences: 2, timeout: 60), "\(pty.screen)")
        pty.type("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious --note handed-over\r")
        try #require(pty.expectPrompt(occurrences: 3), "\(pty.screen)")
        func marksOfACopy(_ name: String) throws -> String {
            let copy = home.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            return try ExhuntProcess.run(["-c", "case open \(copy); marks"]).stdout
        }
        #expect(try marksOfACopy("open.case").contains("handed-over"), "copied while the shell is open")
        pty.type("quit\r")
        #expect(pty.waitForExit() == 0)
        #expect(try marksOfACopy("closed.case").contains("handed-over"), "copied after quit")
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL is folded into the file at the end")
    }
}

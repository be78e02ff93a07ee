import Foundation
import Testing
@testable import InvestigationShell

/// Command files as `exhunt -f` and `source` run them: variables, stop-on-error with FILE:LINE, --keep-going.
@Suite struct ScriptRunTests {
    @Test func variablesExpandInWordsAndQuotes() throws {
        let h = ShellHarness()
        let result = h.shell.runScript("""
            set ZONE Europe/Amsterdam
            set timezone $ZONE
            set NAME "two words"
            set --json
            """, name: "vars.exh", echo: false, keepGoing: false)
        #expect(result.failures == 0)
        #expect(h.session.settings.timezoneName == "Europe/Amsterdam")
        #expect(h.session.variables["NAME"] == "two words")
        _ = h.shell.runScript("set EV=370\nset EMPTY=\n", name: "eq.exh", echo: false, keepGoing: false)
        #expect(h.session.variables["EV"] == "370" && h.session.variables["EMPTY"] == "", "NAME=VALUE as --set writes it")
        #expect(h.out.stdout.contains("\"ZONE\": \"Europe/Amsterdam\""))
    }

    /// Ctrl-C (the session's cancel flag) stops a script and a line after the command it interrupted, even
    /// with --keep-going: the next command must not run on what an interrupted load left.
    @Test func anInterruptStopsTheRest() throws {
        let h = ShellHarness()
        h.session.isCancelled = { true }
        let result = h.shell.runScript("set A 1\nset B 2\n", name: "s.exh", echo: false, keepGoing: true)
        #expect(result.interrupted && result.failures == 0)
        #expect(h.session.variables["A"] == "1" && h.session.variables["B"] == nil)
        let line = h.shell.runScript("set C 1; set D 2\n", name: "-c", echo: false, keepGoing: true)
        #expect(line.interrupted)
        #expect(h.session.variables["C"] == "1" && h.session.variables["D"] == nil)
        // A sourced file stops, and so does the script that sourced it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-int-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inner = dir.appendingPathComponent("inner.exh")
        try "set E 1\nset F 2\n".write(to: inner, atomically: true, encoding: .utf8)
        let outer = h.shell.runScript("source \(inner.path)\nset G 1\n", name: "outer.exh", echo: false, keepGoing: true)
        #expect(outer.interrupted)
        #expect(h.session.variables["E"] == "1" && h.session.variables["F"] == nil && h.session.variables["G"] == nil)
    }

    @Test func bracedAndSingleQuotedVariables() throws {
        let words = try Tokenizer.commands("x ${A}b '$A' \"$A\"") { $0 == "A" ? "1" : nil }
        #expect(words == [["x", "1b", "$A", "1"]])
    }

    @Test func undefinedVariableStopsWithFileAndLine() {
        let h = ShellHarness()
        let result = h.shell.runScript("set A 1\n\n# comment\nset B $MISSING\nset C 3\n", name: "triage.exh", echo: false, keepGoing: false)
        #expect(result.failures == 1)
        #expect(result.firstError == "triage.exh:4: undefined variable $MISSING")
        #expect(h.out.stderr == "error: triage.exh:4: undefined variable $MISSING\n")
        #expect(h.session.variables["C"] == nil, "the file stops at the first error")
    }

    /// Several commands on one line (`exhunt -c "a; b; c"`): each is echoed before it runs and a failure is
    /// reported where it happened, before the next command's output, not after the whole line.
    @Test func commandsOfOneLineAreEchoedAndReportedInOrder() {
        let h = ShellHarness()
        let result = h.shell.runScript("set A 1; nosuch; set --json", name: "-c", echo: true, keepGoing: true)
        #expect(result.failures == 1)
        let text = h.out.combined
        let echoA = text.range(of: "+ set A 1\n"), error = text.range(of: "error: -c:1: unknown command 'nosuch'"),
            echoJSON = text.range(of: "+ set --json\n"), json = text.range(of: "\"A\": \"1\"")
        #expect(echoA != nil && error != nil && echoJSON != nil && json != nil, "\(text)")
        if let echoA, let error, let echoJSON, let json {
            #expect(echoA.upperBound <= error.lowerBound && error.upperBound <= echoJSON.lowerBound && echoJSON.upperBound <= json.lowerBound, "\(text)")
        }
    }

    @Test func keepGoingRunsTheRestAndCountsFailures() {
        let h = ShellHarness()
        let result = h.shell.runScript("show 99\nset A 1\nnosuch\nset B 2\n", name: "f.exh", echo: false, keepGoing: true)
        #expect(result.failures == 2)
        #expect(result.firstError?.hasPrefix("f.exh:1: show:") == true)
        #expect(h.out.stderr.contains("error: f.exh:3: unknown command 'nosuch'"))
        #expect(h.session.variables == ["A": "1", "B": "2"])
    }

    @Test func continuedLineReportsItsFirstLine() {
        let h = ShellHarness()
        let result = h.shell.runScript("set A 1\nshow \\\n  99\n", name: "c.exh", echo: false, keepGoing: false)
        #expect(result.firstError?.hasPrefix("c.exh:2: show: no event '99'") == true)
    }

    /// A command file edited on Windows: CRLF ends lines (a `#` comment swallowed the rest of the file before).
    @Test func windowsLineEndsEndLines() {
        let h = ShellHarness()
        let result = h.shell.runScript("set A 1\r\n# a comment\r\nset B 2\r\nset C \\\r\n  3\r\n", name: "w.exh", echo: false, keepGoing: false)
        #expect(result.failures == 0)
        #expect(h.session.variables == ["A": "1", "B": "2", "C": "3"])
    }

    /// A last line ending in `\\` continues into nothing: an error naming its line, not a silent skip.
    @Test func aContinuationAtTheEndIsAnError() {
        let h = ShellHarness()
        let result = h.shell.runScript("set A 1\nset B \\", name: "e.exh", echo: false, keepGoing: false)
        #expect(result.failures == 1)
        #expect(result.firstError == "e.exh:2: the command ends in '\\' but nothing follows it; not run")
        #expect(h.session.variables == ["A": "1"])
    }

    @Test func sourceStopsAndNamesTheInnerFile() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inner = dir.appendingPathComponent("inner.exh")
        try "set X 1\nset Y $NOPE\nset Z 1\n".write(to: inner, atomically: true, encoding: .utf8)
        let h = ShellHarness()
        h.session.variables["DIR"] = dir.path
        let stopped = #expect(throws: ShellError.self) { try h.shell.execute("source $DIR/inner.exh") }
        #expect(h.out.stderr.contains("inner.exh:2: undefined variable $NOPE"))
        #expect(stopped?.description.hasSuffix("source: stopped at \(dir.path)/inner.exh:2 (the error above)") == true, "\(String(describing: stopped))")
        #expect(h.session.variables["Z"] == nil)

        // --keep-going ran the rest: the error says so instead of "stopped".
        let ran = #expect(throws: ShellError.self) { try h.shell.execute("source $DIR/inner.exh --keep-going") }
        #expect(h.session.variables["Z"] == "1")
        #expect(ran?.description.hasSuffix("source: ran to the end; 1 command failed, the first at \(dir.path)/inner.exh:2 (the errors above)") == true,
                "\(String(describing: ran))")
    }

    /// A script run with --keep-going (`exhunt --keep-going -f`) keeps going inside the files it sources too
    /// (reviewer: it stopped at a sourced file's first failure).
    @Test func keepGoingReachesIntoSourcedFiles() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "set X 1\nset Y $NOPE\nset Z 1\n".write(to: dir.appendingPathComponent("inner.exh"), atomically: true, encoding: .utf8)
        let h = ShellHarness()
        h.session.variables["DIR"] = dir.path
        let result = h.shell.runScript("source $DIR/inner.exh\nset AFTER 1\n", name: "outer.exh", echo: false, keepGoing: true)
        #expect(h.session.variables["Z"] == "1" && h.session.variables["AFTER"] == "1")
        #expect(result.failures == 1 && h.out.stderr.contains("source: ran to the end; 1 command failed"))
        // Without it, the sourced file stops at its failure, as before.
        h.session.variables["Z"] = nil
        _ = h.shell.runScript("source $DIR/inner.exh\n", name: "outer.exh", echo: false, keepGoing: false)
        #expect(h.session.variables["Z"] == nil)
    }

    /// A pipe is a command file too (`-f <(…)`, `-f /dev/stdin`): read to its end (reviewer: refused as unreadable).
    @Test func aPipeIsReadAsACommandFile() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("set timer on\nhelp\n".utf8))
        try pipe.fileHandleForWriting.close()
        #expect(try CommandFile.text("/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)") == "set timer on\nhelp\n")
    }

    /// A command file that cannot be read says why: missing, a folder, or not UTF-8 (with the byte).
    @Test func anUnreadableCommandFileSaysWhy() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let latin = dir.appendingPathComponent("latin.exh")
        try Data([0x73, 0x65, 0x74, 0x20, 0x41, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: latin)
        func failure(_ path: String) -> String { (try? CommandFile.text(path)).map { _ in "" } ?? "\((#expect(throws: ShellError.self) { try CommandFile.text(path) })!)" }
        #expect(failure(latin.path).hasSuffix("latin.exh: not UTF-8 text (byte 10 is not; save it as UTF-8, e.g. iconv -f latin1 -t utf-8)"))
        #expect(failure(dir.appendingPathComponent("none.exh").path).hasSuffix("none.exh: no such file"))
        #expect(failure(dir.path).hasSuffix(": it is a folder"))
        let h = ShellHarness()
        #expect(throws: ShellError.self) { try h.shell.execute("source '\(latin.path)'") }
    }

    /// A file that sources itself stops at the nesting limit with one error and one "stopped at", not one per level.
    @Test func aFileSourcingItselfReportsOnce() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("rec.exh")
        try "source \(file.path)\n".write(to: file, atomically: true, encoding: .utf8)
        let h = ShellHarness()
        let stopped = #expect(throws: ShellError.self) { try h.shell.execute("source '\(file.path)'") }
        #expect(h.out.stderr.components(separatedBy: "nested too deeply").count == 2 && !h.out.stderr.contains("stopped at"), "\(h.out.stderr)")
        #expect(stopped?.description.contains("source: stopped at \(file.path):1") == true)
    }

    /// Echoed commands go to stderr, as `sh -x` does: stdout holds only results (`--echo … --json | jq`).
    @Test func echoPrefixesEachCommandOnStderr() {
        let h = ShellHarness()
        _ = h.shell.runScript("set A 1\nset\n", name: "e.exh", echo: true, keepGoing: false)
        #expect(h.out.combined.hasPrefix("+ set A 1\n+ set\noutput    table\n"))
        #expect(h.out.stderr == "+ set A 1\n+ set\n")
        #expect(h.out.stdout.hasPrefix("output    table\n"))
    }
}

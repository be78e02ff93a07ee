import ArgumentParser
import Foundation
import InvestigationShell

/// The `exhunt` executable: picks interactive, command-file, `-c` or piped mode and hands every line
/// to the shell library. Exit status: 0 success, 1 a command failed, 2 a finding reached `--fail-on`, or
/// the status a `quit STATUS` asked for.
@main
struct Exhunt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exhunt",
        abstract: "An investigation shell for Exchange servers attacked through ProxyLogon and what followed.",
        discussion: """
            Without options, exhunt reads commands interactively (on a terminal) or from standard input.
            Type 'help' inside the shell for the commands.
            """)

    @Option(name: .short, help: ArgumentHelp("Run COMMANDS (separated by ';'), then exit.", valueName: "COMMANDS"))
    var command: [String] = []

    @Option(name: .short, help: ArgumentHelp("Run the command file FILE ('-': standard input; a pipe), then exit.", valueName: "FILE"))
    var file: String?

    @Flag(help: "Continue after a failing command in -c, -f or piped input (the exit status is still 1).")
    var keepGoing = false

    @Flag(help: "Print each command before its output, prefixed with '+ ', on stderr (as sh -x does).")
    var echo = false

    @Flag(help: "Load the training evidence set first.")
    var demo = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Define a variable for $NAME in commands (repeatable).", valueName: "NAME=VALUE"))
    var variables: [String] = []

    @Flag(help: "Print every result as JSON, one document per line (JSON lines; 'set output json' indents them).")
    var json = false

    @Flag(help: "Print the version, the git commit it was built from and the digests of the rules and indicator sets.")
    var version = false

    @Option(help: ArgumentHelp("When the commands are done, exit with status 2 if a finding at or above LEVEL exists "
                               + "(info, low, medium, high, critical). A failed command still gives 1.", valueName: "LEVEL"))
    var failOn: String?

    func validate() throws {
        if let failOn { do { _ = try FindingGate(level: failOn) } catch { throw ValidationError("\(error)") } }
        // Both given, one would be dropped without a word; the order between them is not on the command line.
        if file != nil && !command.isEmpty { throw ValidationError("give -c or -f, not both (put the commands in the file, or 'source FILE' in -c)") }
    }

    mutating func run() throws {
        let output = TerminalOutput()
        signal(SIGPIPE, SIG_IGN)   // a quit pager must not kill the shell; a closed pipe ends it quietly (TerminalOutput)
        let session = Session(output: output)
        session.settings.color = Style.allowed(isTerminal: output.isTerminal, environment: ProcessInfo.processInfo.environment)
        if output.isTerminal { session.terminalWidth = { TerminalOutput.columns() } }
        if version { return VersionText.print(session, json: json, output: output) }
        if json {
            session.settings.output = .json
            session.settings.jsonLines = true
        }
        for v in variables {
            guard let eq = v.firstIndex(of: "=") else { throw ValidationError("--set needs NAME=VALUE, got '\(TerminalText.escape(v))'") }
            let name = String(v[..<eq])
            guard Tokenizer.isVariableName(name) else {
                throw ValidationError("--set: '\(TerminalText.escape(name))' is not a variable name (a letter or _, then letters, digits or _)")
            }
            session.variables[name] = String(v[v.index(after: eq)...])
        }
        Interrupt.install()
        session.isCancelled = { Interrupt.isSet }
        if isatty(STDERR_FILENO) == 1 {
            let bar = ProgressBar()
            session.loadProgress = { bar.update($0) }
            session.workProgress = { bar.update($0) }
        }
        let shell = Shell(session: session)
        // The process ends when `run` returns: the kernel frees the evidence's mappings and the index at once, where
        // releasing the store unmapped each file and freed each column in turn (~0.2 s after 17,000 files).
        defer { _ = Unmanaged.passRetained(shell.session.store) }
        // After `--fail-on` has read the marks: the case file is whole on disk, its WAL folded in.
        defer { CaseState.of(shell.session).finish() }
        let isInteractive = command.isEmpty && file == nil && isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        var failures = 0
        var interrupted = false
        func add(_ r: Shell.ScriptResult) {
            failures += r.failures
            interrupted = interrupted || r.interrupted
        }

        if demo { add(run(shell, "load demo --quiet", name: "--demo")) }
        if !command.isEmpty {
            // Errors name the -c argument they came from when there are several (`-c#2:1: …`).
            for (i, c) in command.enumerated() where (failures == 0 || keepGoing) && !interrupted {
                add(run(shell, c, name: command.count == 1 ? "-c" : "-c#\(i + 1)"))
            }
        } else if let file {
            let text: String
            do { text = try CommandFile.text(file) } catch {
                output.diagnostic("error: \(TerminalText.message("\(error)"))\n")
                throw ExitCode(1)
            }
            add(shell.runScript(text, name: file, echo: echo, keepGoing: keepGoing))
        } else if isInteractive {
            interactive(shell, output: output)
        } else {
            var input = StandardInputLines()
            add(shell.runScript(lines: { input.next() }, name: "<stdin>", echo: echo, keepGoing: keepGoing))
        }
        if let signal = Interrupt.terminatingSignal {
            output.diagnostic("exhunt: ended by \(signal == SIGTERM ? "SIGTERM" : "SIGHUP"); the command running was stopped and the rest did not run\n")
            throw ExitCode(128 + signal)
        }
        // Ctrl-C ends a script as it ends a shell script: the rest did not run, status 130 (128 + SIGINT).
        if interrupted || (Interrupt.isSet && !isInteractive) {
            output.diagnostic("exhunt: interrupted; the commands after it did not run\n")
            throw ExitCode(130)
        }
        if let error = TerminalOutput.stdoutError {
            output.diagnostic("exhunt: cannot write the results to standard output: \(String(cString: strerror(error))); they are incomplete\n")
            throw ExitCode(1)
        }
        // `exit 3` in a command file is the file's own verdict, as in a shell script: it wins over earlier
        // failures and the --fail-on gate (not over an interrupt or lost output, where the verdict went unread).
        if let status = session.requestedExitStatus { throw ExitCode(status) }
        if failures > 0 { throw ExitCode(1) }
        if let failOn, session.store.files.isEmpty {
            output.diagnostic("error: --fail-on \(failOn): nothing loaded, so there is nothing to judge; load evidence first\n")
            throw ExitCode(1)
        }
        if let failOn {
            let gate = try FindingGate(level: failOn)
            if let verdict = gate.verdict(in: session) {
                output.diagnostic(verdict + "\n")
                throw ExitCode(2)
            }
            if let note = gate.clearedNote(in: session) { output.diagnostic(note + "\n") }
        }
    }

    private func run(_ shell: Shell, _ text: String, name: String) -> Shell.ScriptResult {
        shell.runScript(text, name: name, echo: echo, keepGoing: keepGoing)
    }

    private func interactive(_ shell: Shell, output: TerminalOutput) {
        let env = ProcessInfo.processInfo.environment
        let history = env["EXHUNT_HISTORY"] ?? (env["HOME"].map { $0 + "/.exhunt_history" })
        let reader = EditLineReader(historyFile: history, completer: Completer(session: shell.session))
        shell.session.output.diagnostic("exhunt — type 'help' for commands, 'load demo' for the training set, Ctrl-D to leave.\n")
        // A command that would undo a decision (mark lowering a label) asks here instead of needing --force.
        shell.session.confirm = { question in
            let answer = reader.readLine(prompt: question + " [y/N] ") ?? ""
            return answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y")
        }
        while !shell.session.quitRequested && Interrupt.terminatingSignal == nil {
            guard let line = reader.readLine(prompt: shell.session.prompt), Interrupt.terminatingSignal == nil else {
                output.write("\n")          // Ctrl-D: the shell's prompt starts on a line of its own
                break
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            reader.remember(line)
            _ = Interrupt.consume()
            shell.session.interruptNoticed = false
            output.beginCommand()
            do {
                try shell.execute(line)
            } catch {
                // A command stopped by Ctrl-C says so once, not as an error and then again below.
                shell.session.output.diagnostic((shell.session.interruptNoticed ? "" : "error: ") + TerminalText.message("\(error)") + "\n")
            }
            // Ctrl-C during a command that does not check for it: it ran to the end, and is said to have been interrupted once.
            if Interrupt.consume() && !shell.session.interruptNoticed { shell.session.output.diagnostic("interrupted\n") }
            CaseState.of(shell.session).checkpoint()
            output.endCommand()
        }
    }
}

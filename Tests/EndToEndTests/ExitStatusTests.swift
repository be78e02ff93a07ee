import Foundation
import TestSupport
import Testing

/// The executable's contract with schedulers: exit 0 when every command succeeded, 1 when one failed
/// (with `FILE:LINE`), variables from `--set`.
@Suite struct ExitStatusTests {
    func commandFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-\(UUID().uuidString).exh")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func successIsZero() throws {
        let r = try ExhuntProcess.run(["-c", "set A 1; set"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("$A = 1"))
    }

    @Test func failureStopsWithFileAndLineAndExitsOne() throws {
        let file = try commandFile("set A 1\nshow 5\nset\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ExhuntProcess.run(["-f", file.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(file.path):2: show: no event '5' (nothing is loaded: 'load PATH' first)\n")
        #expect(r.stdout.isEmpty, "the file stopped before 'set'")
    }

    /// Results that could not be written (a full disk, a closed stdout) are a failure: status 1 and a message,
    /// not 0 over a truncated result. A closed pipe stays the quiet 141.
    @Test func aFailedWriteToStdoutExitsOne() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { print("skipped: no /dev/full"); return }
        let r = try Subprocess.run("/bin/sh", ["-c", "'\(ExhuntProcess.binary.path)' -c 'set A 1; set' > /dev/full"],
                                   environment: ["NO_COLOR": "1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("exhunt: cannot write the results to standard output: No space left on device"), "\(r.stderr)")
    }

    /// `exit 3` (or `quit 3`) ends exhunt with that status, as in a shell script: the lines after it do not run,
    /// and it wins over an earlier failure under --keep-going. A bad status is an error, not a silent 0.
    @Test func exitWithAStatusEndsWithIt() throws {
        let file = try commandFile("set A 1\nshow 5\nexit 3\nset\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ExhuntProcess.run(["-f", file.path, "--keep-going"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "the file stopped at 'exit 3'")
        #expect(try ExhuntProcess.run(["-c", "quit 0"]).status == 0)
        let bad = try ExhuntProcess.run(["-c", "exit 300"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("exit: the exit status must be a number from 0 to 255, not '300'"), "\(bad.stderr)")
    }

    @Test func keepGoingRunsTheRestButStillExitsOne() throws {
        let file = try commandFile("show 5\nset B 2\nset\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ExhuntProcess.run(["-f", file.path, "--keep-going"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("$B = 2"))
    }

    @Test func setDefinesVariablesAndUndefinedOnesFail() throws {
        let file = try commandFile("set timezone $ZONE\nset Z ${ZONE}\nset\nset W $UNSET\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ExhuntProcess.run(["-f", file.path, "--set", "ZONE=Europe/Amsterdam"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("timezone  Europe/Amsterdam"))
        #expect(r.stdout.contains("$Z = Europe/Amsterdam"))
        #expect(r.stderr == "error: \(file.path):4: undefined variable $UNSET\n")
    }

    @Test func stdinScriptsReportStdinLines() throws {
        let r = try ExhuntProcess.run([], stdin: "set A 1\nnosuch\n")
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: <stdin>:2: unknown command 'nosuch'"))
    }

    /// Piped commands run as their lines arrive, not when input ends (reviewer: a coprocess never got an answer):
    /// the first command's output is read while exhunt's input is still open. Waiting on an idle pipe, SIGTERM
    /// ends exhunt with 143 (it crashed with 132 in a read that the signal interrupted).
    @Test func pipedCommandsRunAsTheyArriveAndASignalEndsTheWait() throws {
        let script = """
            coproc X { NO_COLOR=1 EXHUNT_HISTORY=/dev/null "$0" 2>&1; }
            echo 'set' >&"${X[1]}"
            IFS= read -r -t 20 first <&"${X[0]}"
            echo "first:$first"
            exec {X[1]}>&-
            wait "$X_PID"
            sleep 4 | "$0" & pid=$!
            sleep 1; kill -TERM $pid
            wait $pid; echo "status:$?"
            """
        let r = try Subprocess.run("bash", ["-c", script, ExhuntProcess.binary.path], timeout: 60)
        #expect(r.stdout.contains("first:output    table"), "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("status:143"), "\(r.stdout) \(r.stderr)")
    }
}

/// SIGTERM (a scheduler's timeout) stops the running command as Ctrl-C does, so an export removes its
/// `FILE.partial`, and ends exhunt with 143 (128 + SIGTERM).
@Suite(.serialized) struct TerminationTests {
    @Test func sigtermDuringAnExportRemovesThePartialFileAndExits143() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-term-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try InterruptTests.bigEvidence(dir)
        let out = dir.appendingPathComponent("timeline.csv").path
        // The shell waits for the export's partial file, then sends SIGTERM; "finished" when it never appeared.
        let script = """
            '\(ExhuntProcess.binary.path)' -c 'load \(dir.path)/EX09 --quiet; export timeline \(out)' 2>'\(dir.path)/err' & pid=$!
            i=0; while [ ! -e '\(out).partial' ] && [ $i -lt 6000 ] && kill -0 $pid 2>/dev/null; do sleep 0.005; i=$((i+1)); done
            if [ -e '\(out).partial' ]; then kill -TERM $pid; wait $pid; echo "status $?"; else wait $pid; echo finished; fi
            """
        let r = try Subprocess.run("/bin/sh", ["-c", script], environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"], timeout: 120)
        if r.stdout.contains("finished") { print("skipped: the export ended before SIGTERM could be sent \(r.stdout) \(r.stderr) \((try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? "")"); return }
        let stderr = (try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? ""
        if r.stdout.contains("status 0") { print("skipped: the export ended before SIGTERM arrived"); return }
        #expect(r.stdout.contains("status 143"), "\(r.stdout) \(stderr)")
        #expect(stderr.contains("exhunt: ended by SIGTERM"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"), "the partial file is removed")
        #expect(!FileManager.default.fileExists(atPath: out), "an incomplete export never takes the file's name")
    }
}

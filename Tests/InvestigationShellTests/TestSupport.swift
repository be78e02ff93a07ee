import Foundation
import InvestigationShell

/// A shell whose output is captured, with the repository's help files and training set.
struct TestShell {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let output = CapturedOutput()
    let session: Session
    let shell: Shell

    init() {
        session = Session(output: output, help: HelpLibrary(root: Self.repoRoot.appendingPathComponent("help")))
        shell = Shell(session: session)
    }

    /// Runs a line and returns what it printed on stdout.
    @discardableResult
    func run(_ line: String) throws -> String {
        let before = output.stdout.count
        try shell.execute(line)
        return String(output.stdout.dropFirst(before))
    }

    /// Runs a line and returns both streams as a terminal shows them: status lines (`loaded …`, `marked …`) go
    /// to stderr when results do not go to a terminal, as here.
    @discardableResult
    func shown(_ line: String) throws -> String {
        let before = output.combined.count
        try shell.execute(line)
        return String(output.combined.dropFirst(before))
    }

    /// Runs a line that must fail, returning the error message.
    func failure(_ line: String) -> String {
        do { try shell.execute(line); return "" } catch { return "\(error)" }
    }
}

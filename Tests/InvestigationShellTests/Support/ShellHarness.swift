import Foundation
@testable import InvestigationShell

/// A shell over captured output with the repository's help files (and so its training evidence set).
struct ShellHarness {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let help = HelpLibrary(root: repoRoot.appendingPathComponent("help"))

    let out = CapturedOutput()
    let session: Session
    let shell: Shell

    init(registry: CommandRegistry = .standard) {
        session = Session(output: out, registry: registry, help: ShellHarness.help)
        shell = Shell(session: session)
    }

    /// A fresh temporary folder for files a test writes.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension ShellHarness {
    /// The header IIS 10 writes for the W3SVC1 site's default fields.
    static let iisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
        + "cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"

    /// Writes `lines` as an IIS log at `ev/SERVER/inetpub/logs/LogFiles/W3SVC1/NAME` under `dir` and returns the
    /// evidence root (`dir/ev`), so a case or report written in `dir` lies outside it.
    @discardableResult
    static func iisEvidence(_ lines: [String], server: String, in dir: URL, name: String = "u_ex210303.log") throws -> URL {
        let logs = dir.appendingPathComponent("ev/\(server)/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try (iisHeader + lines.map { $0 + "\n" }.joined()).write(to: logs.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return dir.appendingPathComponent("ev")
    }
}

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

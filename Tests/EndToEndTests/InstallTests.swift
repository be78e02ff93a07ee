import Foundation
import Testing

/// `scripts/install` into a temporary PREFIX, then the installed binary run from another folder, found
/// through PATH: help, lessons, the training set and the detection data come from PREFIX/share/exhunt, and
/// `--version` names the commit the install recorded. The build step is skipped (`--from` the test build):
/// a release build would take minutes of the suite.
@Suite struct InstallTests {
    @Test func installedBinaryRunsFromAnotherFolder() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("exhunt-install-\(UUID().uuidString)")
        let prefix = root.appendingPathComponent("prefix"), elsewhere = root.appendingPathComponent("elsewhere")
        try fm.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: root) }

        let install = try ExhuntProcess.run([ExhuntProcess.repoRoot.appendingPathComponent("scripts/install").path,
                                             "--from", ExhuntProcess.productsFolder.path, prefix.path],
                                            executable: URL(fileURLWithPath: "/bin/bash"))
        try #require(install.status == 0, "\(install.stderr)")
        for path in ["bin/exhunt", "share/exhunt/help/help.md", "share/exhunt/help/lessons", "share/exhunt/help/training/EX01",
                     "share/exhunt/Resources/iocs/sets.tsv", "share/exhunt/Resources/builds/catalog.json", "share/exhunt/BUILD"] {
            #expect(fm.fileExists(atPath: prefix.appendingPathComponent(path).path), "missing \(path)")
        }

        // From another folder, through PATH, with no EXHUNT_HOME: everything is found beside the binary.
        let env = ["PATH": prefix.appendingPathComponent("bin").path + ":/usr/bin:/bin", "EXHUNT_HOME": ""]
        let exhunt = URL(fileURLWithPath: "/usr/bin/env")
        let version = try ExhuntProcess.run(["exhunt", "--version"], environment: env, executable: exhunt, directory: elsewhere)
        #expect(version.status == 0, "\(version.stderr)")
        let commit = try ExhuntProcess.run(["-C", ExhuntProcess.repoRoot.path, "rev-parse", "HEAD"],
                                           executable: URL(fileURLWithPath: "/usr/bin/git")).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.stdout.hasPrefix("exhunt 0.1.0 (commit \(commit)"), "\(version.stdout)")
        #expect(version.stdout.contains("home     \(prefix.path)/share/exhunt"), "\(version.stdout)")

        let run = try ExhuntProcess.run(["exhunt", "-c", "load demo; help hunt; lesson; check-build; grep-ioc"],
                                        environment: env, executable: exhunt, directory: elsewhere)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("loaded training: 1450 files"), "the training set: \(run.stderr)")
        #expect(run.stdout.contains("# hunt"), "help files")
        #expect(run.stdout.contains(" steps)"), "lessons")
        #expect(run.stdout.contains("exposed") || run.stdout.contains("CVE-2021-26855"), "the build catalog: \(run.stdout.suffix(2000))")
        #expect(!run.stderr.contains("not found"), "\(run.stderr)")

        // A binary the BUILD file does not describe (rebuilt or replaced after the install) cannot claim its commit.
        let build = prefix.appendingPathComponent("share/exhunt/BUILD")
        let recorded = try String(contentsOf: build, encoding: .utf8)
        try recorded.replacingOccurrences(of: "binary_sha256=", with: "binary_sha256=0").write(to: build, atomically: true, encoding: .utf8)
        let other = try ExhuntProcess.run(["exhunt", "--version"], environment: env, executable: exhunt, directory: elsewhere)
        #expect(other.stdout.hasPrefix("exhunt 0.1.0 (commit unknown)"), "\(other.stdout)")
        #expect(other.stdout.contains("describes another binary"), "\(other.stdout)")
    }
}

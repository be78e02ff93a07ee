import ExchangeDetection
import ExchangeEvidence
import Foundation

/// What exhunt binary is running: its version, the git commit it was built from, and the SHA-256 of the
/// binary itself (which pins the compiled-in rules exactly).
///
/// SwiftPM has no build-time hook to stamp a commit into a binary, so `scripts/install` records it beside
/// the binary it installs, in `share/exhunt/BUILD`, together with that binary's SHA-256. The commit is
/// believed only when the running binary has that digest; any other binary (a `swift build` in a checkout,
/// a copied or rebuilt one) reports the commit as unknown and says why, rather than guessing from a
/// checkout whose HEAD may have moved since the build.
public struct BuildInfo: Sendable {
    /// The release this source tree is (raised by hand at each release).
    public static let version = "0.1.0"

    /// The commit (40 hex digits, `+changes` when the tree held uncommitted changes), or "unknown".
    public let commit: String
    /// Why the commit is unknown, or where it was recorded.
    public let commitSource: String
    /// SHA-256 of the running executable, or nil when it could not be read.
    public let binarySHA256: String?
    /// The folder help and data were found in (`share/exhunt` for an install, else a checkout), or nil.
    public let home: String?

    public static let current = BuildInfo.read()

    static func read() -> BuildInfo {
        let binary = ProgramFolders.executable.flatMap { try? Data(contentsOf: $0) }.map { SHA256.hex([UInt8]($0)) }
        let home = HelpLibrary.locate()?.deletingLastPathComponent().path
        guard let share = ProgramFolders.installedShare,
              let text = try? String(contentsOf: share.appendingPathComponent("BUILD"), encoding: .utf8) else {
            return BuildInfo(commit: "unknown", commitSource: "not an installed build: scripts/install records the commit",
                             binarySHA256: binary, home: home)
        }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        let file = share.appendingPathComponent("BUILD").path
        guard let recorded = fields["binary_sha256"], recorded == binary, let commit = fields["commit"], !commit.isEmpty else {
            return BuildInfo(commit: "unknown", commitSource: "\(file) describes another binary than this one",
                             binarySHA256: binary, home: home)
        }
        return BuildInfo(commit: commit + (fields["changes"] == "yes" ? "+changes" : ""),
                         commitSource: "recorded by scripts/install in \(file)", binarySHA256: binary, home: home)
    }
}

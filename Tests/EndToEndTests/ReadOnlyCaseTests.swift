import Foundation
import Testing

/// A case exhunt cannot write (handed over on read-only media, another user's file) is said to be read-only, not
/// "damaged", and nothing is created beside it (reviewer). Root may write anything, so as root the run is made as
/// `nobody` (`setpriv`).
@Suite struct ReadOnlyCaseTests {
    @Test func aReadOnlyCaseIsSaidToBeOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-ro-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("handed.case").path
        #expect(try ExhuntProcess.run(["-c", "case new '\(path)'"]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let asNobody = getuid() == 0
        if asNobody && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            Issue.record("running as root without /usr/bin/setpriv: cannot open the case as another user")
            return
        }
        let r = asNobody
            ? try ExhuntProcess.run(["--reuid=nobody", "--regid=nogroup", "--clear-groups", ExhuntProcess.binary.path, "-c", "case open '\(path)'"],
                                    executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
            : try ExhuntProcess.run(["-c", "case open '\(path)'"])
        #expect(r.status == 1 && r.stderr.contains("cannot be opened: the file is read-only for you"), "\(r.stderr)")
        #expect(!r.stderr.contains("damaged"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["handed.case"], "no -wal or -shm left beside it")
    }
}

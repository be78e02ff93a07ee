import ExchangeEvidence
import Foundation
import Testing

/// A zip's members are hashed as files; the archive itself is hashed too, as received, and reported per load.
@Suite struct ZipDigestTests {
    /// `sha256sum`'s digest of a file: an oracle independent of exhunt's own hashing.
    static func sha256sum(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [url.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test func theArchiveIsHashedLoadedDirectlyOrInAFolder() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("collected/EXCH-B.zip")
        try FileManager.default.createDirectory(at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ServerNamingLayoutTests.zip(zip, ["EXCH-B/exsetup.txt": ServerNamingLayoutTests.build,
                                              "EXCH-B/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log": ServerNamingLayoutTests.log])
        let expected = try Self.sha256sum(zip)
        let size = try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as! Int

        let (_, direct) = try Fixtures.load(zip.path)
        #expect(direct.zips.map(\.path) == ["EXCH-B.zip"])
        #expect(direct.zips.first?.sha256 == expected)
        #expect(direct.zips.first?.size == size)

        let (_, folder) = try Fixtures.load(dir.path)
        #expect(folder.zips.map(\.path) == ["collected/EXCH-B.zip"])
        #expect(folder.zips.first?.sha256 == expected)

        let plainDir = dir.appendingPathComponent("nothing-zipped")
        try FileManager.default.createDirectory(at: plainDir, withIntermediateDirectories: true)
        try ServerNamingLayoutTests.log.write(to: plainDir.appendingPathComponent("u_ex210303.log"), atomically: false, encoding: .utf8)
        let (_, plain) = try Fixtures.load(plainDir.path)
        #expect(plain.zips.isEmpty)
    }
}

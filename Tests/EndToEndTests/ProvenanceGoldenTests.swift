import Foundation
import Testing

/// `exhunt --version` and the report's provenance block on the training set, against golden files in
/// `Scripts/`. What differs per build or run is normalised: the binary's SHA-256, the build folder's, the
/// checkout's and the temporary folder's paths. The rule-set and indicator digests are compared as they are: they change only
/// when a rule or an indicator does (then re-record with RECORD_GOLDEN=1 and read the diff).
@Suite struct ProvenanceGoldenTests {
    static func normalise(_ text: String, _ dir: URL? = nil) -> String {
        var t = text.replacingOccurrences(of: #"(binary[ |]+sha256:)[0-9a-f]{64}"#, with: "$1<sha256>", options: .regularExpression)
        if let dir { t = t.replacingOccurrences(of: dir.path, with: "<tmp>") }
        // The data folder lies in the build folder, whose name holds the platform and configuration.
        t = t.replacingOccurrences(of: ExhuntProcess.productsFolder.path, with: "<products>")
        return t.replacingOccurrences(of: ExhuntProcess.repoRoot.path, with: "<repo>")
    }

    static func compare(_ actual: String, golden name: String) throws {
        let golden = TranscriptTests.scripts.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(try? String(contentsOf: golden, encoding: .utf8), "Scripts/\(name) is missing; record it with RECORD_GOLDEN=1")
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        let i = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        #expect(expected == actual, """
            \(name): first difference at line \(i + 1):
              expected: \(i < e.count ? e[i] : "<end>")
              actual:   \(i < a.count ? a[i] : "<end>")
            """)
    }

    @Test func versionMatchesGolden() throws {
        let r = try ExhuntProcess.run(["--version"])
        #expect(r.status == 0)
        try Self.compare(Self.normalise(r.stdout), golden: "version.golden")
        let json = try ExhuntProcess.run(["--version", "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["exhunt"] as? String == "0.1.0" && doc["commit"] as? String == "unknown")
    }

    @Test func reportProvenanceMatchesGolden() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-prov-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r.md")
        let r = try ExhuntProcess.run(["-c", "load demo", "-c", "set timezone Europe/Amsterdam", "-c", "hunt --min-severity critical",
                                       "-c", "show nope", "--keep-going", "-c", "report \(report.path)"])
        #expect(r.status == 1, "the failed 'show' makes the exit status 1: \(r.stderr)")
        let md = try String(contentsOf: report, encoding: .utf8)
        #expect(md.contains("with exhunt 0.1.0 (commit unknown)"), "the report's first lines name exhunt")
        let block = try #require(md.range(of: "## Files that could not be read"))
        try Self.compare(Self.normalise(String(md[block.lowerBound...]), dir), golden: "report-provenance.golden")
        // The HTML report carries the same block.
        let html = dir.appendingPathComponent("r.html")
        _ = try ExhuntProcess.run(["-c", "load demo", "-c", "report \(html.path)"])
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<h2>Provenance</h2>") && page.contains("<h2>Files that could not be read</h2>"))
        #expect(page.contains("<pre>load demo</pre>"))
    }
}

import Foundation
import Testing

/// `exhunt -f FILE --echo 2>&1` on a command file gives the transcript in `Scripts/transcript.golden` (both
/// streams in the order a user sees them: the echoed commands are on stderr, as `sh -x` puts them; durations
/// normalised). `RECORD_GOLDEN=1` rewrites it; a missing file fails.
@Suite struct TranscriptTests {
    static let scripts = ExhuntProcess.repoRoot.appendingPathComponent("Tests/EndToEndTests/Scripts")

    @Test func echoTranscriptMatchesGolden() throws {
        let line = "'\(ExhuntProcess.binary.path)' -f Tests/EndToEndTests/Scripts/transcript.exh --echo 2>&1"
        let r = try ExhuntProcess.run([], executable: URL(fileURLWithPath: "/bin/bash"), prefix: ["-c", line])
        #expect(r.status == 0, "\(r.stdout.suffix(500))")
        let transcript = r.stdout
            .replacingOccurrences(of: ExhuntProcess.repoRoot.path, with: "<repo>")
            .replacingOccurrences(of: #"\b[0-9]+(\.[0-9]+)? ?(ms|s)\b"#, with: "<duration>", options: .regularExpression)
        let golden = Self.scripts.appendingPathComponent("transcript.golden")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try transcript.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            Issue.record("Scripts/transcript.golden is missing; record it with RECORD_GOLDEN=1 swift test")
            return
        }
        let e = expected.components(separatedBy: "\n"), a = transcript.components(separatedBy: "\n")
        let i = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        #expect(expected == transcript, """
            first difference at line \(i + 1):
              expected: \(i < e.count ? e[i] : "<end>")
              actual:   \(i < a.count ? a[i] : "<end>")
            If the change is intended, re-record with RECORD_GOLDEN=1 swift test.
            """)
    }
}

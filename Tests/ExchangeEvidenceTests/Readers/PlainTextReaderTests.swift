import ExchangeEvidence
import Testing

@Suite struct PlainTextReaderTests {
    @Test func oabGeneratorLinesAreKeptWithTheirTime() throws {
        let dir = Fixtures.tempDir()
        let text = try String(contentsOfFile: Fixtures.path("oab/OABGenerator_20210304-1.LOG"), encoding: .utf8)
        Fixtures.write(text, "EX01/Logging/OABGeneratorLog/OABGenerator_20210304-1.LOG", in: dir)
        let (store, _) = try Fixtures.load(dir.path)
        #expect(store.count == 1)
        #expect(store.files[0].kind == .oabGenerator)
        #expect(store.files[0].server == "EX01")
        #expect(Timestamp.iso(store.time[0]) == "2021-03-04T01:15:33.120Z")
        #expect(store.rawLine(0).contains("Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub"))
    }
}
import Foundation

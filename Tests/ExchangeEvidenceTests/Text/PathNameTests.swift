import ExchangeEvidence
import Testing

@Suite struct PathNameTests {
    @Test func isWhatSplittingOnSlashesGivesLast() {
        for path in ["EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030806-1.LOG", "file.log", "a/b/", "/", "", "//x//",
                     "Collection-EX06.contoso.local-2021-03-10T10_10_10Z.zip", "caf\u{E9}/\u{1F600}.log", "e\u{301}/x\u{301}"] {
            #expect(path.pathFileName == (path.split(separator: "/").last ?? ""), "\(path)")
        }
    }
}

@testable import ExchangeDetection
import Testing

@Suite struct MultiPatternMatcherTests {
    func matches(_ a: MultiPatternMatcher, _ text: [UInt8]) -> [String] {
        var found: [String] = []
        text.withUnsafeBytes { buf in
            a.scan(buf) { p, end in
                found.append("\(p)@\(end)")
                return true
            }
        }
        return found
    }

    @Test func overlappingPatternsInBothForms() {
        let patterns: [[UInt8]] = ["he", "she", "his", "hers"].map { Array($0.utf8) }
        for limit in [1 << 20, 1] {
            let a = MultiPatternMatcher(patterns: patterns, fold: IOCPatterns.fold, denseLimit: limit)
            #expect(matches(a, Array("ushers AND HIS".utf8)).sorted() == ["0@4", "1@4", "2@14", "3@6"].sorted(), "denseLimit \(limit)")
        }
    }

    /// Big inputs are scanned as two interleaved streams; the result must equal the one-stream sparse form,
    /// in order, including matches that straddle the middle.
    @Test func twoStreamsFindWhatOneStreamFinds() {
        let patterns: [[UInt8]] = ["1.2.3.4", "shell.aspx", "python-requests/2.25.1", "aa", "a"].map { Array($0.utf8) }
        var rng = SystemRandomNumberGenerator()
        var text = [UInt8]()
        let alphabet = Array("abc .123/4shelpx-".utf8)
        for _ in 0..<(3 * MultiPatternMatcher.splitSize) { text.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        for k in [0, MultiPatternMatcher.splitSize / 3, MultiPatternMatcher.splitSize * 3 / 2 - 10, text.count - 22] {
            text.replaceSubrange(k..<(k + 22), with: Array("python-requests/2.25.1".utf8))
        }
        let dense = MultiPatternMatcher(patterns: patterns, fold: IOCPatterns.fold)
        let sparse = MultiPatternMatcher(patterns: patterns, fold: IOCPatterns.fold, denseLimit: 1)
        let a = matches(dense, text), b = matches(sparse, text)
        #expect(a.count == b.count && a == b)
        #expect(a.filter { $0.hasPrefix("2@") }.count == 4)
    }
}

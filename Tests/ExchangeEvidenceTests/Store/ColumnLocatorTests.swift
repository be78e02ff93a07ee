@testable import ExchangeEvidence
import Testing

/// The word-at-a-time column finder against a plain split of the same line, on lines built to put
/// separators, quotes and the column's ends at every position within a word.
@Suite struct ColumnLocatorTests {
    static func naive(_ column: Int, _ line: [UInt8], _ separator: UInt8) -> Range<Int>? {
        var start = 0, k = 0
        for (i, b) in line.enumerated() {
            if k == column && b == UInt8(ascii: "\"") { return nil }
            if b == separator {
                if k == column { return start..<i }
                k += 1
                start = i + 1
            } else if b == UInt8(ascii: "\"") && k < column {
                return nil
            }
        }
        return k == column ? start..<line.count : nil
    }

    @Test func agreesWithAPlainSplitEverywhere() {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
        for _ in 0..<3_000 {
            let n = Int(next() % 160)
            let line: [UInt8] = (0..<n).map { _ in
                switch next() % 10 {
                case 0, 1: return UInt8(ascii: ",")
                case 2: return next() % 8 == 0 ? UInt8(ascii: "\"") : UInt8(ascii: " ")
                default: return UInt8(ascii: "a") + UInt8(next() % 26)
                }
            }
            for separator in [UInt8(ascii: ","), UInt8(ascii: " ")] {
                for column in 0..<24 {
                    let got = line.withUnsafeBytes { ColumnLocator.locate(column, in: $0, separator: separator) }
                    #expect(got == Self.naive(column, line, separator), "\(String(decoding: line, as: UTF8.self)) column \(column)")
                }
            }
        }
    }

    @Test func theQueryOfARealHttpProxyLine() {
        let names = ["DateTime", "RequestId", "UrlStem", "UserAgent", "UrlQuery", "GenericInfo"]
        let schema = FieldSchema(format: .csv, names: names)
        let plain = Array("2021-03-03T06:49:42.162Z,r1,/ecp/y.js,ExchangeServicesClient/0.0.0.0,?a=1&b=2,x".utf8)
        let quotedAfter = Array("2021-03-03T06:49:42.162Z,r1,/ecp/y.js,ExchangeServicesClient/0.0.0.0,?a=1,\"x,y\"".utf8)
        let quotedBefore = Array("2021-03-03T06:49:42.162Z,r1,/ecp/y.js,\"Mozilla, 5.0\",?q=\"\"1\"\",x".utf8)
        #expect(plain.withUnsafeBytes { schema.value(at: 4, of: $0) } == "?a=1&b=2")
        #expect(quotedAfter.withUnsafeBytes { schema.value(at: 4, of: $0) } == "?a=1")
        #expect(quotedBefore.withUnsafeBytes { schema.value(at: 4, of: $0) } == "?q=\"\"1\"\"", "quoted lines take the full split")
    }

    /// The URL query reader gives what `withURLQuery` gives on every event of the training set and the reader
    /// fixtures, or nil where `withURLQuery` needs the full split.
    @Test func urlQueryReaderAgreesWithWithURLQuery() throws {
        let training = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("help/training").path
        for path in [training, Fixtures.root.path] {
            let (store, _) = try Fixtures.load(path)
            let reader = URLQueryReader(store)
            var located = 0
            for e in 0..<store.count {
                let expected = store.withURLQuery(e) { Array($0) }
                let got = store.withRawLine(e) { line in reader.query(schema: Int(store.schema[e]), in: line).map { Array(line[$0]) } }
                if let got { #expect(got == expected, "\(store.file(of: e).path):\(store.line(of: e))"); located += 1 }
                else { #expect(store.urlQuery(of: e) == String(decoding: expected, as: UTF8.self)) }
            }
            #expect(located > store.count / 2)
        }
    }

    /// `field(_:of:)` and `withField` find a named column without splitting the line: on every event of the
    /// training set and the reader fixtures, for every name, they give what the full split gives.
    @Test func fieldByNameAgreesWithTheFullSplit() throws {
        let training = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("help/training").path
        for path in [training, Fixtures.root.path] {
            let (store, _) = try Fixtures.load(path)
            for e in 0..<store.count {
                let all = store.fields(of: e)
                for name in Set(all.map(\.name)) + ["NoSuchField"] {
                    let expected = all.first { $0.name.lowercased() == name.lowercased() }?.value
                    #expect(store.field(name.uppercased(), of: e) == expected, "\(store.file(of: e).path):\(store.line(of: e)) \(name)")
                    // The same in place, as bytes.
                    #expect(store.withField(name, of: e) { $0.map { String(decoding: $0, as: UTF8.self) } } == store.field(name, of: e),
                            "\(store.file(of: e).path):\(store.line(of: e)) \(name)")
                }
            }
        }
    }
}

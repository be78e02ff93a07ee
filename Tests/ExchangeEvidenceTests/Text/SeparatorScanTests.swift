import ExchangeEvidence
import Testing

@Suite struct SeparatorScanTests {
    func scan(_ text: String, locating wanted: Int = .max, capacity: Int = 512) -> (SeparatorScan, [String?], Int) {
        var s = SeparatorScan(capacity: capacity)
        let bytes = Array(text.utf8)
        var values: [String?] = []
        bytes.withUnsafeBytes { line in
            s.scan(line, separator: 0x2C, locating: wanted)
            for k in 0..<(s.fields + 1) { values.append(s.field(k, of: line).map { String(decoding: $0, as: UTF8.self) }) }
        }
        return (s, values, s.located)
    }

    @Test func locatesOnlyTheWantedColumnsButCountsAll() {
        // Separators inside and past the first 8-byte words, fields of every length including empty ones.
        let line = "2021-03-03T06:49:42.162Z,a,,bb,ccccccccccccccc,d,e,,f,g,h"
        let (all, allValues, _) = scan(line)
        defer { all.deallocate() }
        let (part, partValues, located) = scan(line, locating: 4)
        defer { part.deallocate() }
        #expect(all.fields == 11 && part.fields == 11)
        #expect(located == 4)
        #expect(Array(partValues.prefix(4)) == Array(allValues.prefix(4)))
        #expect(partValues[3] == "bb")
        #expect(partValues[4] == nil)
        #expect(allValues[10] == "h" && allValues[11] == nil)
    }

    @Test func flagsComeFromTheWholeLine() {
        // A NUL and a non-ASCII byte after the located columns are still reported.
        let (s, _, _) = scan("a,b,c,d,e,f,g,h,i,j,k,l\u{0},m,é", locating: 2)
        defer { s.deallocate() }
        #expect(s.fields == 14 && s.hasLowByte && s.hasHighBit)
    }

    @Test func everyControlByteIsNoticedInEveryPositionOfAWord() {
        for control: UInt8 in [0x00, 0x01, 0x07, 0x09, 0x1B, 0x1F] {
            for position in 0..<19 {
                var bytes = Array("abcdefghij,klmnopqrs".utf8)
                bytes[position] = control
                let text = String(decoding: bytes, as: UTF8.self)
                let (s, _, _) = scan(text, locating: 3)
                defer { s.deallocate() }
                #expect(s.hasLowByte, "0x\(String(control, radix: 16)) at \(position)")
            }
        }
        let (clean, _, _) = scan("plain ASCII, spaces and ~ DEL-free text: ok", locating: 3)
        defer { clean.deallocate() }
        #expect(!clean.hasLowByte)
    }

    @Test func shortLinesAndTheCapacityLimit() {
        let (one, values, located) = scan("only", locating: 5)
        defer { one.deallocate() }
        #expect(one.fields == 1 && located == 1 && values[0] == "only")
        // More fields than the scanner can locate: the last located one ends at its own separator.
        let (many, manyValues, manyLocated) = scan((0..<20).map(String.init).joined(separator: ","), capacity: 8)
        defer { many.deallocate() }
        #expect(many.fields == 20 && manyLocated == 7)
        #expect(manyValues[6] == "6" && manyValues[7] == nil)
    }
}

/// The C scan (`CLineScan`) against a byte-by-byte reference: every length across the 16- and 32-byte blocks, every
/// kind of byte in every position, any number of located fields.
@Suite struct SeparatorScanReferenceTests {
    struct Reference {
        var starts: [Int] = [0]
        var fields = 1
        var high = false, low = false, quote = false
    }

    func reference(_ bytes: [UInt8], separator: UInt8) -> Reference {
        var r = Reference()
        for (i, b) in bytes.enumerated() {
            if b >= 0x80 { r.high = true }
            if b < 0x20 { r.low = true }
            if b == 0x22 { r.quote = true }
            if b == separator { r.fields += 1; r.starts.append(i + 1) }
        }
        return r
    }

    func check(_ bytes: [UInt8], separator: UInt8 = 0x2C, locating wanted: Int) {
        var s = SeparatorScan(capacity: 64)
        defer { s.deallocate() }
        let want = reference(bytes, separator: separator)
        bytes.withUnsafeBytes { s.scan($0, separator: separator, locating: wanted) }
        #expect(s.fields == want.fields, "\(bytes.count) bytes, locating \(wanted)")
        #expect(s.hasHighBit == want.high && s.hasLowByte == want.low && s.hasQuote == want.quote, "\(bytes)")
        let located = min(want.fields, min(63, max(wanted, 1)))
        #expect(s.located == located)
        for k in 0..<located { #expect(s.starts[k] == want.starts[k], "field \(k) of \(bytes.count) bytes") }
    }

    @Test func everyLengthAndLimit() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("abcxyz019-:./ ".utf8) + [0x2C, 0x2C, 0x2C]
        for length in 0..<140 {
            for wanted in [1, 2, 5, 19, 40, 100] {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
                check(bytes, locating: wanted)
                check(bytes, separator: 0x20, locating: wanted)
            }
        }
    }

    @Test func eachFlagInEveryPosition() {
        for special: UInt8 in [0x00, 0x09, 0x1F, 0x22, 0x7F, 0x80, 0xC3, 0xFF, 0x2C] {
            for length in [1, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 97] {
                for position in 0..<length {
                    var bytes = [UInt8](repeating: 0x61, count: length)
                    bytes[position] = special
                    check(bytes, locating: 3)
                }
            }
        }
    }

    @Test func longLinesCountPastTheBlockCounters() {
        // More than 255 blocks of 32 bytes after the located fields, every byte a separator: per-byte counters
        // must be summed before they wrap.
        let bytes = [UInt8](repeating: 0x2C, count: 255 * 32 * 3 + 7)
        check(bytes, locating: 4)
        let mixed = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 % 7 == 0 ? 0x2C : 0x61 + $0 % 20) }
        check(mixed, locating: 19)
    }
}

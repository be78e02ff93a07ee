@testable import ExchangeEvidence
import Testing

/// Substitution values rendered as Windows writes them in its event XML.
struct BinXMLValueTests {
    func render(_ type: UInt8, _ bytes: [UInt8]) -> String {
        var sink = ByteSink(capacity: 16)
        defer { sink.free() }
        bytes.withUnsafeBytes { BinXMLValue.render(type, $0.baseAddress!, $0.count, into: &sink) }
        return String(decoding: sink.buffer, as: UTF8.self)
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    @Test func integersAndHex() {
        #expect(render(0x14, le(UInt32(0xf4be))) == "0xf4be", "hex without padding")
        #expect(render(0x15, le(UInt64(0x998))) == "0x998")
        #expect(render(0x15, le(UInt64(0))) == "0x0")
        #expect(render(0x15, le(UInt64(0x8020000000000000))) == "0x8020000000000000")
        #expect(render(0x07, le(Int32(-5))) == "-5")
        #expect(render(0x0A, le(UInt64.max)) == "18446744073709551615")
        #expect(render(0x04, [200]) == "200")
        #expect(render(0x0D, le(UInt32(1))) == "true")
        #expect(render(0x0C, withUnsafeBytes(of: 2.5) { Array($0) }) == "2.5")
        #expect(render(0x0C, withUnsafeBytes(of: 3.0) { Array($0) }) == "3")
    }

    @Test func stringsGuidSidTimesBinary() {
        #expect(render(0x01, Array("forêt\0".utf16).flatMap { le($0) }) == "forêt", "stops at NUL")
        #expect(render(0x02, [0x41, 0x80, 0x00]) == "A€", "Windows-1252")
        let guid: [UInt8] = [0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xA5, 0xBA, 0x3E, 0x3B, 0x03, 0x28, 0xC3, 0x0D]
        #expect(render(0x0F, guid) == "{54849625-5478-4994-A5BA-3E3B0328C30D}")
        let sid: [UInt8] = [1, 2, 0, 0, 0, 0, 0, 5] + le(UInt32(32)) + le(UInt32(544))
        #expect(render(0x13, sid) == "S-1-5-32-544")
        // 2021-10-20T14:29:09.7581469Z as a FILETIME.
        #expect(render(0x11, le(UInt64(132_792_137_497_581_469))) == "2021-10-20T14:29:09.7581469Z")
        let st: [UInt8] = [2021, 3, 3, 3, 6, 50, 1, 123].flatMap { le(UInt16($0)) }
        #expect(render(0x12, st) == "2021-03-03T06:50:01.123Z")
        #expect(render(0x0E, [0xD9, 0x06, 0, 0]) == "D9060000")
    }

    @Test func arrays() {
        #expect(render(0x81, Array("a\0bc\0".utf16).flatMap { le($0) }) == "a,bc")
        #expect(render(0x88, le(UInt32(1)) + le(UInt32(2))) == "1,2")
        var items: [String] = []
        let bytes = Array("x\0yz\0".utf16).flatMap { le($0) }
        bytes.withUnsafeBytes { b in
            BinXMLValue.forEachItem(0x81, b.baseAddress!, b.count) { t, p, n in
                var s = ByteSink(capacity: 8)
                BinXMLValue.render(t, p, n, into: &s)
                items.append(String(decoding: s.buffer, as: UTF8.self))
                s.free()
            }
        }
        #expect(items == ["x", "yz"])
    }

    @Test func isoTextToTicks() {
        let t = Array("2021-11-19T16:52:33.833733500Z".utf8).withUnsafeBytes { BinXMLValue.ticks(fromISO: $0) }
        var s = ByteSink(capacity: 32)
        defer { s.free() }
        BinXMLValue.appendTicks(t!, into: &s)
        #expect(String(decoding: s.buffer, as: UTF8.self) == "2021-11-19T16:52:33.8337335Z")
    }
}

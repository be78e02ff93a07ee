import CLibz
@testable import ExchangeEvidence
import Testing

/// Whole-member inflation (libdeflate) gives the bytes and CRC-32 of zlib's streaming inflation, and leaves
/// what it cannot do exactly — a wrong declared size, damaged data — to zlib.
@Suite struct InflaterTests {
    /// Raw deflate of `data` through zlib, as a zip stores a member.
    static func deflated(_ data: [UInt8]) -> [UInt8] {
        var s = z_stream()
        _ = deflateInit2_(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, UInt(data.count))))
        var input = data
        let produced = input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o -> Int in
                s.next_in = i.baseAddress; s.avail_in = UInt32(i.count)
                s.next_out = o.baseAddress; s.avail_out = UInt32(o.count)
                _ = deflate(&s, Z_FINISH)
                return o.count - Int(s.avail_out)
            }
        }
        return Array(out[..<produced])
    }

    static func collect(_ f: (UnsafeRawBufferPointer, (UnsafeRawBufferPointer) -> Bool) -> Inflater.Result?,
                        _ src: [UInt8]) -> (Inflater.Result?, [UInt8]) {
        var got: [UInt8] = []
        let r = src.withUnsafeBytes { f($0) { got.append(contentsOf: $0); return true } }
        return (r, got)
    }

    @Test func wholeAndStreamingAgree() throws {
        var x: UInt64 = 42
        let text = (0..<300_000).map { _ -> UInt8 in x = x &* 6364136223846793005 &+ 1442695040888963407; return UInt8(ascii: "a") + UInt8(x >> 60) }
        let src = Self.deflated(text)
        let (whole, a) = Self.collect({ Inflater.whole($0, size: text.count, sink: $1) }, src)
        let (stream, b) = Self.collect({ Inflater.run($0, capacity: text.count, sink: $1) }, src)
        #expect(a == text && b == text)
        #expect(whole?.crc == stream?.crc && whole?.consumed == stream?.consumed && whole?.outcome == .complete)
        // A declared size that is wrong, or data cut short: not for the whole-buffer path.
        #expect(Self.collect({ Inflater.whole($0, size: text.count - 1, sink: $1) }, src).0 == nil)
        #expect(Self.collect({ Inflater.whole($0, size: text.count + 1, sink: $1) }, src).0 == nil)
        #expect(Self.collect({ Inflater.whole($0, size: text.count, sink: $1) }, Array(src.prefix(src.count / 2))).0 == nil)
    }
}

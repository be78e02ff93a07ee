/// Finds IPv4 addresses in text as whole tokens: maximal runs of digits and dots that read as exactly
/// four numbers 0…255. `1.2.3.4` is therefore never found inside `11.2.3.45` or `1.2.3.4.5`, and the
/// address is looked up as a number, so a list of 100,000 addresses costs no more to match than ten.
enum IPv4Tokens {
    private static let ipByte: [Bool] = (0..<256).map { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }

    /// The address as a number, for indexing indicators; nil when `text` is not a dotted quad.
    static func number(_ text: String) -> UInt32? {
        var s = text
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0), 0, $0.count) }
    }

    /// Calls `body(start, end, indicators)` for every address of `bytes` that `index` names or holds in a block.
    static func find(in bytes: UnsafeRawBufferPointer, index: IPv4Index, _ body: (Int, Int, [Int]) -> Void) {
        guard !index.isEmpty, let base = bytes.baseAddress else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        ipByte.withUnsafeBufferPointer { isIP in
            var i = 0
            while i < n {
                guard isIP[Int(p[i])] else { i += 1; continue }
                let start = i
                while i < n && isIP[Int(p[i])] { i += 1 }
                if i - start >= 7, i - start <= 15, let v = parse(bytes, start, i), let found = index.lookup(v) {
                    body(start, i, found)
                }
            }
        }
    }

    private static func parse(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt32? {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        var i = start
        while i < end {
            let c = b[i]
            if c == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                part = 0
                digits = 0
                dots += 1
            } else {
                guard c >= 0x30 && c <= 0x39, digits < 3 else { return nil }
                part = part * 10 + UInt32(c - 0x30)
                guard part <= 255 else { return nil }
                digits += 1
            }
            i += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | part
    }
}

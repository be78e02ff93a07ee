/// Finds digests in text: maximal runs of hex digits exactly 32, 40 or 64 long (MD5, SHA-1, SHA-256),
/// so `…b75f…d0` inside a longer hex string never counts, and looks them up among the hash indicators.
enum HexDigests {
    private static let hex: [Bool] = (0..<256).map { IndicatorNormalizer.isHex(UInt8($0)) }

    /// Calls `body(start, end, indicators)` for every digest of `bytes` that is a hash indicator.
    static func find(in bytes: UnsafeRawBufferPointer, index: [String: [Int]], _ body: (Int, Int, [Int]) -> Void) {
        guard !index.isEmpty, let base = bytes.baseAddress else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        hex.withUnsafeBufferPointer { isHex in
            var i = 0
            while i < n {
                guard isHex[Int(p[i])] else { i += 1; continue }
                let start = i
                while i < n && isHex[Int(p[i])] { i += 1 }
                let len = i - start
                if len == 32 || len == 40 || len == 64 {
                    let key = String(decoding: UnsafeRawBufferPointer(start: p + start, count: len).map {
                        $0 >= 0x41 && $0 <= 0x46 ? $0 | 0x20 : $0
                    }, as: UTF8.self)
                    if let found = index[key] { body(start, i, found) }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a buffer line by line with `memchr`, yielding each line without its `\n` or `\r\n`.
public struct LineScanner {
    let base: UnsafeRawPointer?
    let count: Int
    var position = 0
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0
    /// True when the line last returned had no line terminator (the file ends mid-line).
    public private(set) var lastLineUnterminated = false

    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress
        count = bytes.count
    }

    /// The next line as (offset, length) into the buffer, or nil at the end.
    @inline(__always)
    public mutating func next() -> (offset: Int, length: Int)? {
        guard let base, position < count else { return nil }
        let start = position
        lineNumber += 1
        if let nl = memchr(base + start, 0x0A, count - start) {
            let end = base.distance(to: UnsafeRawPointer(nl))
            position = end + 1
            var len = end - start
            if len > 0 && base.load(fromByteOffset: end - 1, as: UInt8.self) == 0x0D { len -= 1 }
            return (start, len)
        }
        position = count
        lastLineUnterminated = true
        var len = count - start
        if len > 0 && base.load(fromByteOffset: count - 1, as: UInt8.self) == 0x0D { len -= 1 }
        return (start, len)
    }
}

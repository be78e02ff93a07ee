#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks every reader runs on each line: the line is always kept, the oddity is reported.
public enum LineChecks {
    /// Lines longer than this are reported (and still kept whole).
    public static let longLine = 1 << 20

    @inline(__always)
    public static func check(_ line: UnsafeRawBufferPointer, number: Int, problems: inout ProblemLog) {
        let n = line.count
        guard let base = line.baseAddress else { return }
        // Non-ASCII is rare in these logs: test 8 bytes at a time, validate UTF-8 only when needed.
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= n {
            high |= line.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n { high |= UInt64(line[i]); i += 1 }
        report(line, number: number, highBit: high & 0x8080_8080_8080_8080 != 0, nul: memchr(base, 0, n) != nil, problems: &problems)
    }

    /// Reports what a scan of the line found (readers that scan separators get the flags for free).
    @inline(__always)
    public static func report(_ line: UnsafeRawBufferPointer, number: Int, highBit: Bool, nul: Bool, problems: inout ProblemLog) {
        if line.count > longLine {
            problems.add(LoadProblem(line: number, "line \(number): \(line.count) bytes long (kept whole)"), kind: "very long line")
        }
        if nul {
            problems.add(LoadProblem(line: number, "line \(number): contains NUL bytes (binary data; kept, shown escaped)"),
                         kind: "NUL bytes")
        }
        if highBit && !isValidUTF8(line) {
            problems.add(LoadProblem(line: number, "line \(number): invalid UTF-8 (kept; bytes shown as \\xNN)"),
                         kind: "invalid UTF-8")
        }
    }

    public static func isValidUTF8(_ p: UnsafeRawBufferPointer) -> Bool {
        var it = p.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// An ISO timestamp at the start of a line (or after a leading quote), for lines outside any schema.
    public static func leadingTime(_ line: UnsafeRawBufferPointer) -> Int64 {
        var start = 0
        if line.count > 0 && (line[0] == UInt8(ascii: "\"") || line[0] == UInt8(ascii: "'")) { start = 1 }
        guard line.count - start >= 19 else { return Timestamp.unknown }
        var end = start + 19
        while end < line.count && end < start + 30 && line[end] != UInt8(ascii: ",") && line[end] != UInt8(ascii: " ")
                && line[end] != UInt8(ascii: "\"") { end += 1 }
        return Timestamp.parse(UnsafeRawBufferPointer(rebasing: line[start..<end])) ?? Timestamp.unknown
    }
}

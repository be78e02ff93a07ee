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
        // Non-ASCII and control bytes are rare in these logs: test 8 bytes at a time, look closer only when needed.
        var i = 0
        var high: UInt64 = 0, low: UInt64 = 0
        while i + 8 <= n {
            let w = line.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            high |= w
            low |= SeparatorScan.lowBytes(w)
            i += 8
        }
        while i < n {
            high |= UInt64(line[i])
            if line[i] < 0x20 { low |= 0x80 }
            i += 1
        }
        report(line, number: number, highBit: high & 0x8080_8080_8080_8080 != 0, lowByte: low != 0, problems: &problems)
    }

    /// Checks the text a reader rendered for one event from `from` to the end of `rendered` (the JSON and XML
    /// readers, which check no raw line): a control character written as an escape (`\u001b`, `&#27;`) reaches
    /// the event's values as itself, and is named as one in a raw line would be.
    static func checkRendered(_ rendered: [UInt8], from: Int, number: Int, problems: inout ProblemLog) {
        rendered.withUnsafeBytes { check(UnsafeRawBufferPointer(rebasing: $0[from...]), number: number, problems: &problems) }
    }

    /// Reports what a scan of the line found (readers that scan separators get the flags for free): `lowByte`
    /// says the line may hold bytes below 0x20, and only then is it examined byte by byte.
    @inline(__always)
    public static func report(_ line: UnsafeRawBufferPointer, number: Int, highBit: Bool, lowByte: Bool, problems: inout ProblemLog) {
        if line.count > longLine {
            problems.add(LoadProblem(line: number, "line \(number): \(line.count) bytes long (kept whole)"), kind: "very long line")
        }
        if lowByte { reportControls(line, number: number, problems: &problems) }
        if highBit { reportHighBytes(line, number: number, problems: &problems) }
    }

    /// Bytes above 0x7F: invalid UTF-8, or characters shown escaped because they change how a line reads (U+202E
    /// and the other bidirectional controls, zero-width characters, C1 controls): named by line as the C0 controls
    /// are (reviewer: a real U+202E in a user name was shown as `\u202e`, like the literal text `\u202e` beside it,
    /// and `sources --problems` did not tell them apart).
    static func reportHighBytes(_ line: UnsafeRawBufferPointer, number: Int, problems: inout ProblemLog) {
        var it = line.makeIterator()
        var decoder = UTF8()
        var hidden: Unicode.Scalar?
        decoding: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let u):
                if hidden == nil, u.value >= 0x80, ControlCharacters.isUnsafe(u) { hidden = u }
            case .emptyInput: break decoding
            case .error:
                problems.add(LoadProblem(line: number, "line \(number): invalid UTF-8 (kept; bytes shown as \\xNN)"),
                             kind: "invalid UTF-8")
                return
            }
        }
        if let u = hidden {
            problems.add(LoadProblem(line: number, "line \(number): contains invisible or control characters (first: "
                                     + "U+\(String(u.value, radix: 16, uppercase: true)); kept, shown escaped)"),
                         kind: "control characters")
        }
    }

    /// NUL bytes (binary data inside a log) and the other C0 controls but tab: an escape sequence or a bell in a
    /// user agent is what an attacker writes to drive the analyst's terminal, so the line is named (it is kept,
    /// and shown escaped everywhere).
    static func reportControls(_ line: UnsafeRawBufferPointer, number: Int, problems: inout ProblemLog) {
        var nul = false
        var first: UInt8?
        for b in line where b < 0x20 {
            if b == 0 { nul = true } else if b != 0x09 && b != 0x0A && b != 0x0D && first == nil { first = b }
            if nul && first != nil { break }
        }
        if nul {
            problems.add(LoadProblem(line: number, "line \(number): contains NUL bytes (binary data; kept, shown escaped)"),
                         kind: "NUL bytes")
        }
        if let first {
            let name = first == 0x1B ? "ESC" : first == 0x07 ? "BEL" : first == 0x08 ? "BS" : "0x" + (first < 0x10 ? "0" : "") + String(first, radix: 16, uppercase: true)
            problems.add(LoadProblem(line: number, "line \(number): contains control characters (first: \(name); kept, shown escaped)"),
                         kind: "control characters")
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

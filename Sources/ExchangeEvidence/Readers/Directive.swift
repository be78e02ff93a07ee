/// A `#Name: value` line of the header block that Exchange and IIS logs share (W3C extended log format:
/// `#Software`, `#Version`, `#Log-type`, `#Date`, `#Fields`). Both readers re-read it wherever it appears.
struct Directive {
    let name: String
    let value: String

    /// nil when the line is no directive (it does not start with `#` and a name followed by `:`).
    init?(_ line: UnsafeRawBufferPointer) {
        guard line.first == UInt8(ascii: "#"), let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        name = String(decoding: line[1..<colon], as: UTF8.self)
        value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
    }

    /// The problem a data line before any `#Fields` gets (it is kept as plain text).
    static func dataBeforeFields(_ lineNo: Int) -> (LoadProblem, kind: String) {
        (LoadProblem(line: lineNo, "line \(lineNo): data before any #Fields header (kept as plain text)"), "data before #Fields header")
    }
}

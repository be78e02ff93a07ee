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

    /// Directives of the W3C extended log format and Exchange's additions: header lines, read as such.
    static let known: Set<String> = ["Software", "Version", "Log-type", "Date", "Fields", "Start-Date", "End-Date", "Remark"]

    /// True for a directive the format defines (the byte accounting counts its line as read).
    var isKnown: Bool { Self.known.contains(name) }

    /// The problem a data line before any `#Fields` gets (it is kept as plain text).
    static func dataBeforeFields(_ lineNo: Int) -> (LoadProblem, kind: String) {
        (LoadProblem(line: lineNo, "line \(lineNo): data before any #Fields header (kept as plain text)"), "data before #Fields header")
    }
}

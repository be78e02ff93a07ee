/// A `#Name: value` line of the header block that Exchange and IIS logs share (W3C extended log format:
/// `#Software`, `#Version`, `#Log-type`, `#Date`, `#Fields`). Both readers re-read it wherever it appears.
///
/// Hand-made samples write `# Fields:` or `#fields:`: spaces after `#` and around the name are skipped and
/// the known names are matched ignoring case, so `name` is always the canonical spelling.
struct Directive {
    let name: String
    let value: String
    /// True for the names of the W3C and Exchange headers (anything else is reported, not silently skipped;
    /// the byte accounting counts a known directive's line as read).
    let isKnown: Bool

    static let knownNames = ["Software", "Version", "Log-type", "Date", "Fields", "Start-Date", "End-Date", "Remark"]

    /// nil when the line is no directive (it does not start with `#` and a name followed by `:`).
    init?(_ line: UnsafeRawBufferPointer) {
        guard line.first == UInt8(ascii: "#"), let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let raw = String(decoding: line[1..<colon], as: UTF8.self).trimmingSpaces()
        guard !raw.isEmpty, !raw.contains(" ") else { return nil }
        let known = Self.knownNames.first { $0.caseInsensitiveCompare(raw) == .orderedSame }
        name = known ?? raw
        isKnown = known != nil
        value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
    }

    /// The problem a data line before any `#Fields` gets (it is kept as plain text).
    static func dataBeforeFields(_ lineNo: Int) -> (LoadProblem, kind: String) {
        (LoadProblem(line: lineNo, "line \(lineNo): data before any #Fields header (kept as plain text)"), "data before #Fields header")
    }

    /// The problem a `#` line gets that is no header directive: it is kept as a plain-text event.
    static func unknown(_ lineNo: Int, _ line: UnsafeRawBufferPointer) -> (LoadProblem, kind: String) {
        let shown = String(decoding: line.prefix(40), as: UTF8.self)
        return (LoadProblem(line: lineNo, "line \(lineNo): '#' line that is no known header directive (\(shown)…; kept as text)"),
                "unknown # line")
    }

    /// The `#Fields` value of the first such directive in `head`, in any of the spellings above.
    static func fields(in head: UnsafeRawBufferPointer) -> String? {
        var scanner = LineScanner(head)
        while let (off, len) = scanner.next() {
            guard len > 0, head[off] == UInt8(ascii: "#") else { continue }
            if let d = Directive(UnsafeRawBufferPointer(rebasing: head[off..<(off + len)])), d.name == "Fields" { return d.value }
        }
        return nil
    }
}

import Foundation

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
        let nameBytes = UnsafeRawBufferPointer(rebasing: line[SpaceTrim.range(line, 1, colon)])
        // Every file has several directives and every reader's `score` reads them: an ASCII name (all real ones)
        // is trimmed and checked on its bytes, since Foundation's Unicode search and comparison were 7% of a load.
        if nameBytes.allSatisfy({ $0 < 0x80 }) {
            guard !nameBytes.isEmpty, !nameBytes.contains(0x20) else { return nil }
            let known = Self.knownName(nameBytes)
            name = known ?? String(decoding: nameBytes, as: UTF8.self)
            isKnown = known != nil
        } else {
            let raw = String(decoding: nameBytes, as: UTF8.self)
            guard !raw.contains(" ") else { return nil }
            let known = Self.knownName(raw, ascii: false)
            name = known ?? raw
            isKnown = known != nil
        }
        value = String(decoding: UnsafeRawBufferPointer(rebasing: line[SpaceTrim.range(line, colon + 1, line.count)]), as: UTF8.self)
    }

    /// The canonical spelling of the ASCII name `raw` when it is a known name ignoring case, else nil.
    static func knownName(_ raw: UnsafeRawBufferPointer) -> String? {
        knownNames.first { name in
            name.utf8.count == raw.count && zip(name.utf8, raw).allSatisfy { ASCIICase.fold($0) == ASCIICase.fold($1) }
        }
    }

    /// The canonical spelling of `raw` when it is a known name ignoring case, else nil: ASCII letters are folded
    /// byte by byte, other names keep Foundation's Unicode case folding.
    static func knownName(_ raw: String, ascii: Bool) -> String? {
        guard ascii else {
            return knownNames.first { $0.caseInsensitiveCompare(raw) == .orderedSame }
        }
        var s = raw
        return s.withUTF8 { knownName(UnsafeRawBufferPointer($0)) }
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
            let line = UnsafeRawBufferPointer(rebasing: head[off..<(off + len)])
            // Readers score every file by this: the other directives are passed over without making Strings.
            if !mayBeFields(line) { continue }
            if let d = Directive(line), d.name == "Fields" { return d.value }
        }
        return nil
    }

    /// False when `line` is surely no `#Fields` directive: its name (before the first `:`, spaces and tabs
    /// trimmed) is ASCII and not `fields` in any case. Non-ASCII names are left to `Directive`'s Unicode folding.
    static func mayBeFields(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return false }
        var lo = 1, hi = colon
        while lo < hi, line[lo] == 0x20 || line[lo] == 0x09 { lo += 1 }
        while hi > lo, line[hi - 1] == 0x20 || line[hi - 1] == 0x09 { hi -= 1 }
        let name = line[lo..<hi]
        guard name.allSatisfy({ $0 < 0x80 }) else { return true }
        return name.count == 6 && zip(name, "fields".utf8).allSatisfy { ASCIICase.fold($0) == $1 }
    }
}

import Foundation

import Foundation

/// Splits a Sigma file into its YAML documents before parsing, so a document YAML cannot read costs only itself:
/// libyaml stops a stream at its first error, and every later rule of the file was then neither loaded nor listed.
///
/// A document starts after a `---` line and ends before the next or at a `...` line (both markers at column 0,
/// alone on the line or followed by a space or tab and a comment or value). Each document's text is preceded
/// by one empty line per file line before it, so the lines YAML reports in it are the file's.
enum SigmaDocuments {
    struct Document {
        /// The document's text, preceded by empty lines up to its first line in the file.
        let text: String
        /// The document's first line in the file (1-based).
        let line: Int
        /// The document's last line in the file: a YAML error after it is at the document's end.
        var lastLine: Int { text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0) }
    }

    static func split(_ raw: String) -> [Document] {
        // Swift reads a CRLF as one Character, so a file saved on Windows would be one line and its `---` no marker
        // (reviewer: every rule of such a file was lost); a byte-order mark is no content (it hid the first `---`).
        var text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var out: [Document] = []
        var current: [Substring] = []
        var start = 1
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func close(next: Int) {
            let body = current.filter { !isBlank($0) }
            if !body.isEmpty {
                out.append(Document(text: String(repeating: "\n", count: start - 1) + current.joined(separator: "\n"), line: start))
            }
            current = []
            start = next
        }
        for (i, line) in lines.enumerated() {
            if isMarker(line, "---") {
                close(next: i + 1)
                // `--- value` starts the document on the marker's own line.
                let rest = line.dropFirst(3)
                if !isBlank(rest) { current.append(Substring(String(repeating: " ", count: 3)) + rest); start = i + 1 }
                else { start = i + 2 }
            } else if isMarker(line, "...") {
                close(next: i + 2)
            } else {
                current.append(line)
            }
        }
        close(next: lines.count + 1)
        return out
    }

    /// `---` or `...` at column 0, alone or followed by blank space.
    private static func isMarker(_ line: Substring, _ marker: String) -> Bool {
        guard line.hasPrefix(marker) else { return false }
        let rest = line.dropFirst(3)
        return rest.isEmpty || rest.first == " " || rest.first == "\t" || rest.first == "\r"
    }

    /// Empty, blank or a comment: no YAML content.
    private static func isBlank(_ line: Substring) -> Bool {
        let t = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        return t.isEmpty || t.first == "#"
    }

    /// A top-level `key: value` of a document YAML could not read (`title`, `id`), so its problem names the rule.
    static func topLevel(_ key: String, in text: String) -> String {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            var v = line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
            if v.count >= 2, let q = v.first, q == "'" || q == "\"", v.last == q { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return ""
    }
}

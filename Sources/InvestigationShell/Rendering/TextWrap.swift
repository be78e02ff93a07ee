/// Wraps long free text (a finding's summary) at spaces to a terminal's width, every line indented.
public enum TextWrap {
    /// `text` indented by `indent` spaces; with `width`, broken at spaces so no line passes it (a word
    /// longer than a line is cut in the middle instead). Without `width` (a pipe, a file) it stays one line.
    public static func wrap(_ text: String, indent: Int, width: Int?) -> String {
        let pad = String(repeating: " ", count: indent)
        guard let width, width - indent >= 20, text.count + indent > width else { return pad + text }
        let room = width - indent
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = word.count > room ? TextTable.clip(String(word), room) : String(word)
            if current.isEmpty { current = w } else if current.count + 1 + w.count <= room { current += " " + w } else {
                lines.append(current)
                current = w
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.map { pad + $0 }.joined(separator: "\n")
    }
}

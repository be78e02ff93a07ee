/// Escaping for report formats. Evidence text is attacker-controlled: in HTML it must never become markup,
/// in Markdown never a table break, link or inline HTML; control characters are shown as `\x1b` in both.
enum ReportText {
    /// Control characters and bidirectional overrides made visible (`\x1b`); backslashes stay as written,
    /// since Windows paths are full of them and a report is not parsed back.
    static func visible(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if TerminalText.isUnsafe(u) { out += u.value < 0x100 ? "\\x" + TerminalText.hex(u.value, 2) : "\\u" + TerminalText.hex(u.value, 4) }
            else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in visible(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Text for a Markdown table cell or paragraph.
    static func markdown(_ s: String) -> String {
        var out = ""
        for ch in visible(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "|", "*", "_", "`", "[", "]", "#", "~": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Escaping for report formats. Evidence text is attacker-controlled: in HTML it must never become markup,
/// in Markdown never a table break, link or inline HTML; control characters are shown as `\x1b` in both.
enum ReportText {
    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in TerminalText.escape(s) {
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
        for ch in TerminalText.escape(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|", "*", "_", "`", "[", "]", "#", "~": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }
}

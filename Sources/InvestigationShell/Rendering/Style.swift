/// Colour for a few labels, only when the session allows it (`allowed`: a terminal, `NO_COLOR` unset or empty). The
/// escape sequences wrap text the shell produced itself, never evidence text.
public enum Style {
    /// Whether a session may colour: on a terminal, unless `NO_COLOR` is set and not empty (no-color.org) or the terminal says
    /// it cannot (`TERM=dumb`, as Emacs shells and some CI logs set it; reviewer: those got raw `ESC[1;31m`).
    public static func allowed(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// A severity label, padded to `width` before colouring so columns stay aligned.
    public static func severity(_ name: String, width: Int, color: Bool) -> String {
        let padded = name.uppercased() + String(repeating: " ", count: max(0, width - name.count))
        guard color else { return padded }
        let code: String
        switch name.lowercased() {
        case "critical": code = "1;31"
        case "high": code = "31"
        case "medium": code = "33"
        case "low": code = "36"
        default: code = "2"
        }
        return "\u{1B}[\(code)m\(padded)\u{1B}[0m"
    }

    /// Bold (help headings), or the text unchanged without colour.
    public static func bold(_ text: String, color: Bool) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// In cyan (help code), or the text unchanged without colour.
    public static func code(_ text: String, color: Bool) -> String { color ? "\u{1B}[36m\(text)\u{1B}[0m" : text }

    /// The text without the colour sequences (`ESC [ … m`) this type adds: for a pager that would show them raw.
    /// Evidence text never holds an ESC (it is escaped before printing), so only ours are removed.
    public static func plain(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let u = scalars.next() {
            guard u == "\u{1B}" else { out.unicodeScalars.append(u); continue }
            guard let next = scalars.next() else { break }
            guard next == "[" else { out.unicodeScalars.append(u); out.unicodeScalars.append(next); continue }
            while let c = scalars.next(), !(c.value >= 0x40 && c.value <= 0x7E) {}
        }
        return out
    }
}

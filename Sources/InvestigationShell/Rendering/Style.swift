/// Colour for a few labels, only when the session allows it (a terminal, and `NO_COLOR` unset). The
/// escape sequences wrap text the shell produced itself, never evidence text.
public enum Style {
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
}

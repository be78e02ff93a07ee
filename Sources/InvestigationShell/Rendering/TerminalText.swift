import ExchangeEvidence

/// Makes evidence text safe to print: attackers control user agents, URLs and paths, so every control
/// character (C0, DEL, C1 — which includes the 8-bit CSI), escape sequence, and bidirectional override is
/// shown as a visible escape (`\x1b`, `\u202e`) instead of reaching the terminal. Backslashes are left
/// alone: Windows paths are everywhere in this evidence, and `show --json` gives the exact value.
public enum TerminalText {
    public static func escape(_ s: String) -> String { ControlCharacters.escape(s) }

    /// An error or status message, line by line: its own line breaks stay, while a path or value it quotes cannot
    /// reach the terminal raw (reviewer: `load` and `case open` printed a path's ESC bytes). Escaping is
    /// idempotent here, so a message that escaped its values already prints the same.
    public static func message(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "\n")
    }

    /// Escapes raw bytes: invalid UTF-8 becomes `\xNN` too, so a line prints exactly what was stored.
    public static func escape(bytes: UnsafeRawBufferPointer) -> String { ControlCharacters.escapeBytes(bytes) }

    @inline(__always)
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool { ControlCharacters.isUnsafe(u) }

    static func hex(_ v: UInt32, _ width: Int) -> String { ControlCharacters.hex(v, width) }
}

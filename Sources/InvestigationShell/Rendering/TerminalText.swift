import ExchangeEvidence

/// Makes evidence text safe to print: attackers control user agents, URLs and paths, so every control
/// character (C0, DEL, C1 — which includes the 8-bit CSI), escape sequence, and bidirectional override is
/// shown as a visible escape (`\x1b`, `\u202e`) instead of reaching the terminal. Backslashes are left
/// alone: Windows paths are everywhere in this evidence, and `show --json` gives the exact value.
public enum TerminalText {
    public static func escape(_ s: String) -> String { ControlCharacters.escape(s) }

    /// Escapes raw bytes: invalid UTF-8 becomes `\xNN` too, so a line prints exactly what was stored.
    public static func escape(bytes: UnsafeRawBufferPointer) -> String { ControlCharacters.escapeBytes(bytes) }

    @inline(__always)
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool { ControlCharacters.isUnsafe(u) }

    static func hex(_ v: UInt32, _ width: Int) -> String { ControlCharacters.hex(v, width) }
}

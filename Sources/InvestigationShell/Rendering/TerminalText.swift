import ExchangeEvidence

/// Makes evidence text safe to print: attackers control user agents, URLs and paths, so every control
/// character (C0, DEL, C1 — which includes the 8-bit CSI), escape sequence, and bidirectional override is
/// shown as a visible escape (`\x1b`, `\u202e`) instead of reaching the terminal. Backslashes are left
/// alone: Windows paths are everywhere in this evidence, and `show --json` gives the exact value.
public enum TerminalText {
    public static func escape(_ s: String) -> String { ControlCharacters.escape(s) }

    /// Escapes raw bytes: invalid UTF-8 becomes `\xNN` too, so a line prints exactly what was stored.
    public static func escape(bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        while true {
            let before = consumed
            switch decoder.decode(&it) {
            case .scalarValue(let u):
                consumed += UTF8.width(u)
                if isUnsafe(u) { out += ControlCharacters.visible(u) }
                else { out.unicodeScalars.append(u) }
            case .emptyInput:
                return out
            case .error:
                // Show the offending byte and resume after it.
                out += "\\x" + hex(UInt32(bytes[before]), 2)
                consumed = before + 1
                it = UnsafeRawBufferPointer(rebasing: bytes[consumed...]).makeIterator()
                decoder = UTF8()
            }
        }
    }

    @inline(__always)
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool { ControlCharacters.isUnsafe(u) }

    static func hex(_ v: UInt32, _ width: Int) -> String { ControlCharacters.hex(v, width) }
}

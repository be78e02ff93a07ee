/// The characters evidence text must not carry into a terminal or a text file a terminal may print: C0
/// controls, DEL, C1 controls (which include the 8-bit CSI, U+009B), the line and paragraph separators
/// (U+2028/9, a line break to some viewers) and every invisible format character (Unicode category Cf: the
/// bidirectional controls and marks such as U+202E and U+061C that make a line read differently from what it
/// holds, zero-width spaces and joiners that hide a character inside a name, U+FEFF, and the tag characters
/// U+E0000… that smuggle invisible ASCII). Shared by the terminal renderer and the CSV exports.
public enum ControlCharacters {
    @inline(__always)
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        if v < 0xAD { return false }
        if v == 0x2028 || v == 0x2029 { return true }
        return u.properties.generalCategory == .format
    }

    /// Whether `s` holds a character `escape` would change: a name that cannot be typed or printed as it is.
    public static func hasUnsafe(_ s: String) -> Bool { s.unicodeScalars.contains(where: isUnsafe) }

    /// `s` with each unsafe character shown as `\xNN` (below U+0100) or `\uNNNN` (`\u{NNNNN}` beyond the BMP);
    /// backslashes are left alone.
    public static func escape(_ s: String) -> String {
        if !hasUnsafe(s) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if isUnsafe(u) { out += visible(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// How an unsafe character is shown: `\x1b`, `\u202e`, `\u{e0041}`.
    public static func visible(_ u: Unicode.Scalar) -> String {
        u.value < 0x100 ? "\\x" + hex(u.value, 2) : u.value <= 0xFFFF ? "\\u" + hex(u.value, 4) : "\\u{" + hex(u.value, 5) + "}"
    }

    /// Escapes raw bytes: invalid UTF-8 becomes `\xNN` too, so a line prints exactly what was stored.
    public static func escapeBytes(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        while true {
            let before = consumed
            switch decoder.decode(&it) {
            case .scalarValue(let u):
                consumed += UTF8.width(u)
                if isUnsafe(u) { out += visible(u) }
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

    public static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

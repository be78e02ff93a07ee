/// The characters evidence text must not carry into a terminal or a text file a terminal may print: C0
/// controls, DEL, C1 controls (which include the 8-bit CSI, U+009B) and the bidirectional controls that make
/// a line read differently from what it holds. Shared by the terminal renderer and the CSV exports.
public enum ControlCharacters {
    @inline(__always)
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F { return true }
        return false
    }

    /// `s` with each unsafe character shown as `\xNN` (below U+0100) or `\uNNNN`; backslashes are left alone.
    public static func escape(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where isUnsafe(u) { needs = true; break }
        if !needs { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if isUnsafe(u) { out += u.value < 0x100 ? "\\x" + hex(u.value, 2) : "\\u" + hex(u.value, 4) }
            else { out.unicodeScalars.append(u) }
        }
        return out
    }

    public static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

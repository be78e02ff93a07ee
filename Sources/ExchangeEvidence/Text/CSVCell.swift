/// A value from evidence made safe for a CSV export, which ends up in two places: a terminal (`cat out.csv`)
/// and a spreadsheet.
///
/// Control and bidirectional characters are escaped as the terminal shows them (`\x1b`, `\x07`, `\x9b`,
/// `\u202e`; line breaks and tabs too, so every row is one line). A value starting with `=`, `+`, `-` or `@`
/// gets a leading `'` (OWASP's CSV-injection rule), so a spreadsheet shows it as text instead of running
/// it as a formula; a lone `-`, the logs' empty value, is no formula and stays as it is (reviewer: `'-` as a
/// client address). Numbers the exporter writes itself (times, event numbers) do not go through here.
public enum CSVCell {
    /// The neutralised text, not yet quoted (for writers that quote every value, like `Export-Csv`).
    public static func text(_ s: String) -> String {
        let escaped = ControlCharacters.escape(s)
        return isFormula(escaped.utf8) ? "'" + escaped : escaped
    }

    /// True when a spreadsheet would run `value` as a formula: it starts with `=` `+` `-` `@` and is not a lone `-`.
    /// Inlinable: the CSV writers call it for every cell, and a generic call across modules goes through witnesses.
    @inlinable @inline(__always)
    public static func isFormula<C: Collection<UInt8>>(_ value: C) -> Bool {
        guard let first = value.first, startsFormula(first) else { return false }
        return first != UInt8(ascii: "-") || value.count > 1
    }

    /// `=` `+` `-` `@`: a cell starting with this byte may be a formula to a spreadsheet (`isFormula` decides). The
    /// byte writers' fast paths test it to leave such cells to the writer that neutralises them.
    @inlinable @inline(__always)
    public static func startsFormula(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@")
    }

    /// The neutralised text, RFC 4180-quoted when it needs it.
    public static func field(_ s: String) -> String { CSVLine.quote(text(s)) }
}

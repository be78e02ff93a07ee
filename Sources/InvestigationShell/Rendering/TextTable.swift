/// A plain text table: every cell is escaped for the terminal and columns are padded to their widest cell.
/// On a terminal the table fits its width: the widest text columns give up characters first, and a cut cell
/// loses its middle (`C:\inetpub\…\supp0rt.aspx`), so a path keeps its file name. Elsewhere (a pipe, a file)
/// every cell is whole: a listing saved for the record (`sources --files > custody.txt`) must not lose paths.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int> = []
    /// Columns never cut to fit a terminal (identifiers such as SHA-256 digests); numbers are never cut either.
    public var whole: Set<Int> = []

    public init(_ headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table; with `width` (a terminal's columns) no line is longer than it, as far as columns of at
    /// least `TextTable.narrowest` characters allow.
    public func render(width: Int? = nil) -> String {
        let escaped = rows.map { $0.map { TerminalText.escape($0) } }
        var widths = headers.map { $0.count }
        for r in escaped { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        if let width { Self.fit(&widths, into: width, keep: rightAligned.union(whole)) }
        var out = line(headers, widths) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in escaped { out += line(r.enumerated().map { i, c in i < widths.count ? Self.clip(c, widths[i]) : c }, widths) + "\n" }
        return out
    }

    /// Columns are not narrowed below this (or their header).
    static let narrowest = 8

    /// Narrows the widest columns, one character at a time, until the line fits `width`. Right-aligned
    /// (number) columns are never cut.
    static func fit(_ widths: inout [Int], into width: Int, keep: Set<Int>) {
        var total = widths.reduce(0, +) + 2 * max(0, widths.count - 1)
        while total > width {
            guard let i = widths.indices.filter({ !keep.contains($0) && widths[$0] > narrowest })
                .max(by: { widths[$0] < widths[$1] }) else { return }
            widths[i] -= 1
            total -= 1
        }
    }

    /// `s` cut to `width` characters by replacing its middle with `…`, keeping more of the end (file names).
    public static func clip(_ s: String, _ width: Int) -> String {
        guard s.count > width else { return s }
        guard width > 1 else { return String(s.prefix(width)) }
        let tail = width / 2, head = width - 1 - tail
        return String(s.prefix(head)) + "…" + String(s.suffix(tail))
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var parts: [String] = []
        for (i, w) in widths.enumerated() {
            let c = i < cells.count ? cells[i] : ""
            let pad = String(repeating: " ", count: max(0, w - c.count))
            parts.append(rightAligned.contains(i) ? pad + c : (i == widths.count - 1 ? c : c + pad))
        }
        return parts.joined(separator: "  ")
    }
}

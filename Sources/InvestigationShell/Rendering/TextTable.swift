/// A plain text table: every cell is escaped for the terminal, columns are padded to their widest cell,
/// and cells longer than `maxWidth` are cut with `…` (`show` prints whole values).
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    public var maxWidth = 60
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int> = []

    public init(_ headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let cells = rows.map { $0.map { clip(TerminalText.escape($0)) } }
        var widths = headers.map { $0.count }
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        var out = line(headers, widths) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in cells { out += line(r, widths) + "\n" }
        return out
    }

    private func clip(_ s: String) -> String { s.count > maxWidth ? String(s.prefix(maxWidth - 1)) + "…" : s }

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

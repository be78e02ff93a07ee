/// Help files are Markdown; on a terminal they are shown as text: headings bold (the title in capitals),
/// code blocks indented without their fences, `code` and **bold** without their marks (coloured when colour
/// is on), list items with bullets, links as `text (url)`. Pipes and `--json` get the Markdown itself.
public enum HelpMarkdown {
    public static func render(_ markdown: String, color: Bool) -> String {
        var out: [String] = []
        var fenced = false
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") { fenced.toggle(); continue }
            if fenced || line.hasPrefix("    ") || line.hasPrefix("\t") {
                let code = fenced ? "    " + line : line
                out.append(Style.code(code, color: color))
                continue
            }
            if line.hasPrefix("# ") {
                out.append(Style.bold(inline(String(line.dropFirst(2)), color: false).uppercased(), color: color))
            } else if line.hasPrefix("#") {
                let text = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                out.append(Style.bold(inline(text, color: false), color: color))
            } else if let item = bullet(line) {
                out.append(item.indent + "• " + inline(item.text, color: color))
            } else {
                out.append(inline(line, color: color))
            }
        }
        return out.joined(separator: "\n")
    }

    /// `- text` or `* text` (with its indentation), else nil.
    static func bullet(_ line: String) -> (indent: String, text: String)? {
        let indent = String(line.prefix { $0 == " " })
        let rest = line.dropFirst(indent.count)
        guard rest.hasPrefix("- ") || rest.hasPrefix("* ") else { return nil }
        return (indent, String(rest.dropFirst(2)))
    }

    /// Inline marks: `code`, **bold**, [text](url).
    static func inline(_ text: String, color: Bool) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "`", let close = text[text.index(after: i)...].firstIndex(of: "`") {
                out += Style.code(String(text[text.index(after: i)..<close]), color: color)
                i = text.index(after: close)
            } else if text[i...].hasPrefix("**"), let close = text[text.index(i, offsetBy: 2)...].range(of: "**") {
                out += Style.bold(String(text[text.index(i, offsetBy: 2)..<close.lowerBound]), color: color)
                i = close.upperBound
            } else if c == "[", let mid = text[i...].range(of: "]("), let end = text[mid.upperBound...].firstIndex(of: ")"),
                      !text[text.index(after: i)..<mid.lowerBound].contains("]") {
                out += String(text[text.index(after: i)..<mid.lowerBound]) + " (" + String(text[mid.upperBound..<end]) + ")"
                i = text.index(after: end)
            } else {
                out.append(c)
                i = text.index(after: i)
            }
        }
        return out
    }
}

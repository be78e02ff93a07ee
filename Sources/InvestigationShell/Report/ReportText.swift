import ExchangeDetection
import ExchangeEvidence
import Foundation

/// Escaping for report formats. Evidence text is attacker-controlled: in HTML it must never become markup,
/// in Markdown never a table break, link or inline HTML; control characters are shown as `\x1b` in both.
enum ReportText {
    /// Which zone the report's times are in, said once at the top: a forwarded report's bare times must not be
    /// read in the reader's own zone (reviewer).
    static func zoneSentence(_ zone: String) -> String {
        zone == "UTC" ? "in UTC" : "in \(zone) time (set timezone), not UTC"
    }

    /// Control and invisible format characters made visible (`\x1b`) as the terminal shows them; backslashes
    /// stay as written, since Windows paths are full of them and a report is not parsed back.
    static func visible(_ s: String) -> String { ControlCharacters.escape(s) }

    /// A Markdown code span that shows `s` exactly, backticks included: fenced by one backtick more than the
    /// longest run inside (CommonMark), padded with a space where the text starts or ends with one. A command
    /// copied from the report then runs as it was typed, and an indicator or path copies as the evidence has it
    /// (not `\~` or `&amp;`). In a table cell a `|` still ends the cell (GFM), so there it is written `\|`, which
    /// GFM takes back out of the span. Empty text is no span.
    static func codeSpan(_ s: String, inTable: Bool = false) -> String {
        guard !s.isEmpty else { return "" }
        let v = inTable ? visible(s).replacingOccurrences(of: "|", with: "\\|") : visible(s)
        var longest = 0, run = 0
        for c in v.unicodeScalars { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = v.hasPrefix("`") || v.hasSuffix("`") ? " " : ""
        return fence + pad + v + pad + fence
    }

    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in visible(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// HTML text in which dates, times, IPv4 addresses and rule ids are kept whole: each is wrapped in
    /// `<span class="nw">` (no wrapping), while the text around them may still wrap or break.
    static func htmlKeepingTokens(_ s: String) -> String {
        let escaped = html(s)
        guard let re = tokenPattern else { return escaped }
        let ns = escaped as NSString
        var out = ""
        var last = 0
        for m in re.matches(in: escaped, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += "<span class=\"nw\">" + ns.substring(with: m.range) + "</span>"
            last = m.range.location + m.range.length
        }
        return out + ns.substring(from: last)
    }

    /// `2021-03-03 06:49:42` (or with `T`, or a date alone), `167.99.168.251`, and the ids of the registered rules.
    private static let tokenPattern: NSRegularExpression? = {
        let ids = RuleRegistry.standard.map { NSRegularExpression.escapedPattern(for: $0.id) }.sorted { $0.count > $1.count }
        let pattern = #"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?|(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])"#
            + "|(?<![\\w.-])(?:" + ids.joined(separator: "|") + ")(?![\\w-])"
        return try? NSRegularExpression(pattern: pattern)
    }()

    /// A finding's summary for a Markdown table cell: the values it quotes (`AnchorMailbox 'ServerInfo~…'`, a command line, a
    /// script) become code spans in place of the quotes, so they read and copy as the evidence has them; the prose
    /// around is escaped.
    /// A quote opens after a space, `(`, `=`, `[`, `:` or `,` (not the apostrophe of "isn't") and closes before a
    /// space, punctuation or the end; a value holding such a quote is cut there and its rest escaped as prose.
    static func markdownQuoting(_ s: String) -> String {
        let chars = Array(s)
        var out = "", plain = "", i = 0
        while i < chars.count {
            if chars[i] == "'", i == 0 || " (=[:,".contains(chars[i - 1]),
               let close = chars[(i + 1)...].indices.first(where: { k in
                   chars[k] == "'" && k > i + 1 && (k + 1 == chars.count || " ;,.:)]".contains(chars[k + 1])) }) {
                out += markdown(plain) + codeSpan(String(chars[(i + 1)..<close]), inTable: true)
                plain = ""
                i = close + 1
                continue
            }
            plain.append(chars[i])
            i += 1
        }
        return out + markdown(plain)
    }

    /// exhunt's own prose (a remediation step) in which backticks mark commands and patterns: those become code
    /// spans (Markdown) or `<code>` (HTML), to be copied as written (`.*` not `.\*`); the rest is escaped prose.
    static func markdownWithCode(_ s: String) -> String { withCode(s, prose: markdown) { codeSpan($0) } }

    static func htmlWithCode(_ s: String) -> String { withCode(s, prose: html) { "<code>" + html($0) + "</code>" } }

    private static func withCode(_ s: String, prose: (String) -> String, code: (String) -> String) -> String {
        s.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset % 2 == 1 ? code(String($0.element)) : prose(String($0.element)) }.joined()
    }

    /// A loaded rule's reference: a link the rule's author meant to be followed, written as an autolink when it is a
    /// plain http(s) URL, else as text.
    static func markdownReference(_ s: String) -> String {
        let plain = (s.hasPrefix("https://") || s.hasPrefix("http://"))
            && !s.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || ControlCharacters.hasUnsafe(String($0)) }
        return plain ? "<" + s + ">" : markdown(s)
    }

    /// Text for a Markdown table cell or paragraph. An attacker's URL stays text: GitHub-flavoured renderers make
    /// a bare `http://`, `https://`, `ftp://` or `www.` a clickable link, and an escaped `:` or `.` (`http\://`)
    /// reads the same but is not one (reviewer: the report linked to the attacker's server).
    static func markdown(_ s: String) -> String {
        var out = ""
        var word = ""   // the letters just before the current character, lower-cased: a scheme or `www`
        let chars = Array(visible(s))
        for (i, ch) in chars.enumerated() {
            let startsLink = (ch == ":" && ["http", "https", "ftp"].contains(word) && chars.dropFirst(i + 1).starts(with: ["/", "/"]))
                || (ch == "." && word == "www")
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "|", "*", "_", "`", "[", "]", "#", "~": out += "\\" + String(ch)
            case _ where startsLink: out += "\\" + String(ch)
            default: out.append(ch)
            }
            word = ch.isLetter && ch.isASCII ? word + ch.lowercased() : ""
        }
        return out
    }
}

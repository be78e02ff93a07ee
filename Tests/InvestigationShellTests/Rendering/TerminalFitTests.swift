import Foundation
import InvestigationShell
import Testing

/// What the shell does for a terminal: tables and long text fit its width (paths keep their file name),
/// help Markdown becomes text, colour is removed for a pager that would show it raw.
@Suite struct TerminalFitTests {
    @Test func tablesFitTheWidthCuttingTheWidestColumnInTheMiddle() {
        var t = TextTable(["server", "file", "size"])
        t.rightAligned = [2]
        t.add(["EX01", "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", "123456"])
        t.add(["EX02", "short", "1"])
        let fitted = t.render(width: 40)
        #expect(fitted.split(separator: "\n").allSatisfy { $0.count <= 40 }, "\(fitted)")
        #expect(fitted.contains("EX01/C/inet…ex210303.log  "), "the 24 columns left keep both ends: \(fitted)")
        #expect(fitted.contains("123456"), "numbers are never cut")
        #expect(t.render(width: 200) == t.render(width: 300), "a wide terminal changes nothing")
        #expect(TextTable.clip("C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx", 20) == "C:\\inetpu…pp0rt.aspx")
    }

    @Test func longTextWrapsAtSpacesIndented() {
        let text = String(repeating: "word ", count: 30).trimmingCharacters(in: .whitespaces)
        let wrapped = TextWrap.wrap(text, indent: 4, width: 40)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 40 && $0.hasPrefix("    word") }, "\(wrapped)")
        #expect(TextWrap.wrap(text, indent: 4, width: nil) == "    " + text, "no terminal: one line")
    }

    @Test func helpMarkdownBecomesText() {
        let md = "# record\n\n    record start FILE\n\nUse `record stop` to **end** it; see [scripting](help scripting).\n- one\n```\nfenced\n```"
        let plain = HelpMarkdown.render(md, color: false)
        #expect(plain == "RECORD\n\n    record start FILE\n\nUse record stop to end it; see scripting (help scripting).\n• one\n    fenced")
        let coloured = HelpMarkdown.render(md, color: true)
        #expect(coloured.contains("\u{1B}[1mRECORD\u{1B}[0m") && coloured.contains("\u{1B}[36mrecord stop\u{1B}[0m"))
        #expect(Style.plain(coloured) == plain, "the pager without colour gets the same text")
    }
}

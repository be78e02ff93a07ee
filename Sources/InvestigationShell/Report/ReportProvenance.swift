/// The report's provenance section: which exhunt, rules and indicator sets produced it, the time zone
/// of its times, the commands that led to it, and the evidence files that could not be read, so a reader
/// can check the report and reproduce it.
enum ReportProvenance {
    static func markdown(_ p: Provenance) -> String {
        var o = ""
        func line(_ s: String = "") { o += s + "\n" }
        func md(_ s: String) -> String { ReportText.markdown(s) }
        func code(_ s: String) -> String { ReportText.codeSpan(s) }
        line("## Files that could not be read")
        line()
        if p.unreadable.isEmpty { line("None: every evidence file found was read.") }
        for u in p.unreadable { line("- \(code(u.path)): \(md(u.message))") }
        line()
        line("## Provenance")
        line()
        line("| what | value |")
        line("|---|---|")
        for (key, value) in p.summaryLines { line("| \(md(key)) | \(md(value)) |") }
        line()
        line("Started as \(code(p.invocationLine)); the commands run in this session, in order:")
        line()
        line("```")
        for c in p.commandLines { line(ReportText.visible(c).replacingOccurrences(of: "```", with: "'''")) }
        line("```")
        return o
    }

    static func html(_ p: Provenance) -> String {
        func h(_ s: String) -> String { ReportText.html(s) }
        var o = "<h2>Files that could not be read</h2>\n"
        if p.unreadable.isEmpty { o += "<p>None: every evidence file found was read.</p>\n" } else {
            o += "<ul>" + p.unreadable.map { "<li><code>\(h($0.path))</code>: \(h($0.message))</li>" }.joined() + "</ul>\n"
        }
        o += "<h2>Provenance</h2>\n<table><tr><th>what</th><th>value</th></tr>\n"
        for (key, value) in p.summaryLines { o += "<tr><td>\(h(key))</td><td class=\"msg\">\(h(value))</td></tr>\n" }
        o += "</table>\n<p>Started as <code>\(h(p.invocationLine))</code>; the commands run in this session, in order:</p>\n"
        o += "<pre>" + p.commandLines.map(h).joined(separator: "\n") + "</pre>\n"
        return o
    }
}

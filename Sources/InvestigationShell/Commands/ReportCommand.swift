import Foundation

/// `report FILE.md|FILE.html`: the investigation's conclusions per server, with what supports them and
/// what to do now, for the people who must act on it.
struct ReportCommand: Command {
    var name: String { "report" }
    var summary: String { "write the report (Markdown or self-contained HTML): verdict per server, findings, marks, IOC hits, coverage, remediation" }
    var usage: String { "report FILE.md|FILE.html [--force]" }
    var options: [OptionSpec] { [.flag("force", "overwrite FILE if it exists")] }
    var completion: ArgumentCompletion { .files }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard args.positional.count == 1 else { throw ShellError("usage: \(usage)") }
        try ctx.requireEvidence(name)
        CaseState.of(ctx.session).openDefaultIfPresent(ctx.session)
        CaseState.of(ctx.session).syncIndicators(ctx.session)
        let path = (args.positional[0] as NSString).expandingTildeInPath
        let lower = path.lowercased()
        let html = lower.hasSuffix(".html") || lower.hasSuffix(".htm")
        guard html || lower.hasSuffix(".md") else {
            // A Unix user may expect the extension to choose JSON, as `export` lets it: say where JSON comes from.
            throw ShellError("report: the file must end in .md or .html; for JSON, 'report FILE.md --json' writes the file and prints its summary "
                             + "(verdicts, counts, provenance) and 'export findings FILE.ndjson' writes every finding")
        }
        try ctx.session.refuseInsideEvidence(path, command: "report")
        try OutputPath.check(path, command: "report", force: args.flag("force"))
        let session = ctx.session
        let model = try ReportModel.gather(session)
        let time = session.displayTime
        let text = html ? HTMLReport(model: model, time: time).render() : MarkdownReport(model: model, time: time).render()
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ShellError("report: cannot write \(TerminalText.escape(path)): \(error.localizedDescription)")
        }
        if ctx.wantsJSON {
            ctx.json(.object([("file", .string(path)), ("format", .string(html ? "html" : "markdown")),
                              ("servers", .array(model.servers.map { .object([("server", .string($0.server)), ("verdict", .string($0.verdict.rawValue)),
                                                                              ("reasons", .strings($0.reasons))]) })),
                              ("findings", .int(model.servers.reduce(0) { $0 + $1.findingCount })), ("marks", .int(model.marks.count)),
                              ("remediation", .strings(model.remediation.map(\.step.id))), ("provenance", model.provenance.json)]))
        }
        ctx.status("wrote \(TerminalText.escape(path)): " + model.servers.map { "\(TerminalText.escape($0.server)) \($0.verdict.rawValue)" }.joined(separator: ", "))
    }
}

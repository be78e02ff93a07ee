import Foundation

/// `case`: the case file that keeps marks, notes, analyst IOCs, the evidence list and the audit log.
struct CaseCommand: Command {
    var name: String { "case" }
    var summary: String { "the case file: case new|open PATH, case close, case log, case history --as-script FILE; without arguments its status" }
    var usage: String { "case [new PATH | open PATH | close | log [--limit N] | history [--limit N] [--as-script FILE [--force]]]" }
    var options: [OptionSpec] {
        [.value("limit", "N", "case log: the last N commands (default 50)"),
         .value("as-script", "FILE", "case history: write the audit log as a command file 'exhunt -f' replays"),
         .flag("force", "case history --as-script: overwrite FILE if it exists")]
    }
    var completion: ArgumentCompletion { .words(["new", "open", "close", "log", "history"]) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let session = ctx.session
        let state = CaseState.of(session)
        let p = args.positional
        switch p.first {
        case nil:
            return status(state, ctx)
        case "new", "open":
            guard p.count == 2 else { throw ShellError("usage: case \(p[0]) PATH") }
            let path = (p[1] as NSString).expandingTildeInPath
            try session.refuseInsideEvidence(path, command: "case \(p[0])")
            if p[0] == "new" { try OutputPath.check(path, command: "case new") }
            let file = p[0] == "new" ? try CaseFile.create(at: path) : try CaseFile.open(at: path)
            try state.use(file, session: session)
            if ctx.wantsJSON { return status(state, ctx) }
            let marks = state.marks().count
            ctx.status("\(p[0] == "new" ? "created" : "opened") case \(TerminalText.escape(path))"
                     + (p[0] == "open" ? " (\(marks) mark\(marks == 1 ? "" : "s"))" : ""))
            // Opened after the evidence was loaded: what `load` says of marks on other copies is said here (reviewer:
            // a mark made on another set's copy followed to this one, turning a verdict, unsaid).
            if let note = state.recollectedNote(session.store) { ctx.status(note) }
        case "close":
            guard state.file != nil else { throw ShellError("case close: no case is open") }
            state.close(auditing: "case close", session: session)
            if !ctx.wantsJSON { ctx.status("case closed") }
        case "history" where args.value("as-script") != nil, "log" where args.value("as-script") != nil:
            guard let file = state.file else { throw ShellError("case history: no case is open") }
            try exportScript(file, to: args.value("as-script")!, force: args.flag("force"), ctx)
        case "log", "history":
            guard let file = state.file else { throw ShellError("case \(p[0]): no case is open") }
            let limit = Int(args.value("limit") ?? "50") ?? 50
            let entries = try file.auditLog(limit: limit)
            if ctx.wantsJSON {
                ctx.json(.array(entries.map { .object([("time", .time($0.time)), ("user", .string($0.user)), ("command", .string($0.command)),
                                                       ("error", .optional($0.error))]) }))
                return
            }
            for e in entries {
                ctx.line("\(session.displayTime(e.time))  \(TerminalText.escape(e.user))  \(TerminalText.escape(e.command))"
                         + (e.error.map { "  [failed: \(TerminalText.escape($0))]" } ?? ""))
            }
        default:
            throw ShellError("usage: \(usage)")
        }
    }

    /// Writes the audit log as a command file; never over an existing file unless asked, never into evidence.
    private func exportScript(_ file: CaseFile, to target: String, force: Bool, _ ctx: CommandContext) throws {
        let path = (target as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: path).standardizedFileURL
        try ctx.session.refuseInsideEvidence(url.path, command: "case history")
        try OutputPath.check(path, command: "case history", force: force)
        let script = CaseHistoryScript.build(try file.auditLog(), casePath: file.path, scriptPath: path, now: CaseState.now,
                                             variables: ctx.session.variables)
        do { try Data(script.text.utf8).write(to: url, options: .atomic) } catch {
            throw ShellError("case history: cannot write \(TerminalText.escape(target)): \(error.localizedDescription)")
        }
        if ctx.wantsJSON {
            ctx.json(.object([("file", .string(path)), ("commands", .int(script.commands)), ("failed", .int(script.failed)),
                              ("sourced", .int(script.sourced)),
                              ("outputs_commented", .int(script.outputs)), ("line_breaks_commented", .int(script.lineBreaks))]))
            return
        }
        ctx.status("wrote \(script.commands) command\(script.commands == 1 ? "" : "s") to \(TerminalText.escape(path))"
                 + (script.failed > 0 ? " (\(script.failed) failed, kept as comments)" : "")
                 + (script.lineBreaks > 0 ? "; \(script.lineBreaks) with a line break in a value kept as comments: replay \(script.lineBreaks == 1 ? "it" : "them") by hand" : "")
                 + (script.sourced > 0 ? "; \(script.sourced) sourced line\(script.sourced == 1 ? "" : "s") left to their source line" : "")
                 + "; replay with: exhunt -f \(Tokenizer.quote(path))")
    }

    private func status(_ state: CaseState, _ ctx: CommandContext) {
        guard let file = state.file else {
            // The documented keys all the same, so a script reads one shape (reviewer): no case, no rows.
            if ctx.wantsJSON { ctx.json(.object([("case", .null)] + ["mark", "note", "ioc", "evidence", "audit"].map { ($0, JSONValue.int(0)) })) } else {
                ctx.line("no case is open ('case new PATH' or 'case open PATH'; 'mark' and 'note' use ./\(CaseState.defaultPath))")
            }
            return
        }
        let counts = (try? file.counts()) ?? []
        if ctx.wantsJSON {
            ctx.json(.object([("case", .string(file.path))] + counts.map { ($0.table, JSONValue.int($0.rows)) }))
            return
        }
        ctx.line("case \(TerminalText.escape(file.path))")
        let names = ["mark": "marks", "note": "notes", "ioc": "analyst IOCs", "evidence": "evidence files", "audit": "commands logged"]
        for c in counts { ctx.line("  \(c.rows) \(names[c.table] ?? c.table)") }
    }
}

import Foundation

/// `record start FILE` / `record stop`: turns what is typed into a command file `exhunt -f FILE` replays.
struct RecordCommand: Command {
    var name: String { "record" }
    var summary: String { "record the commands you type into a command file that 'exhunt -f' replays" }
    var usage: String { "record [start FILE [--append|--force] | stop]" }
    var options: [OptionSpec] {
        [.flag("append", "add to an existing file"), .flag("force", "overwrite FILE if it exists")]
    }
    var completion: ArgumentCompletion { .words(["start", "stop"]) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let recorder = Self.recorder(ctx.session)
        let p = args.positional
        switch p.first {
        case nil:
            if ctx.wantsJSON {
                ctx.json(.object([("recording", .bool(recorder.isRecording)), ("file", .optional(recorder.path)),
                                  ("commands", .int(recorder.recorded)), ("failed", .int(recorder.failed))]))
            } else if let path = recorder.path {
                ctx.line("recording to \(TerminalText.escape(path)): \(recorder.recorded) command(s) so far")
            } else {
                ctx.line("not recording; 'record start FILE' begins")
            }
        case "start":
            guard p.count == 2 else { throw ShellError("usage: record start FILE [--append|--force]") }
            if args.flag("append") && args.flag("force") { throw ShellError("record: --append or --force, not both") }
            let path = (p[1] as NSString).expandingTildeInPath
            try ctx.session.refuseInsideEvidence(path, command: "record")
            try recorder.start(path, append: args.flag("append"), overwrite: args.flag("force"), variables: ctx.session.variables,
                               earlierLoads: Self.loadCommands(ctx.session))
            if ctx.wantsJSON { ctx.json(.object([("recording", .bool(true)), ("file", .string(path))])) }
            else { ctx.diagnostic("recording to \(TerminalText.escape(path)); 'record stop' ends it") }
        case "stop":
            guard p.count == 1 else { throw ShellError("usage: record stop") }
            let done = try recorder.stop()
            if ctx.wantsJSON {
                ctx.json(.object([("recording", .bool(false)), ("file", .string(done.path)),
                                  ("commands", .int(done.recorded)), ("failed", .int(done.failed))]))
            } else {
                ctx.diagnostic("recorded \(done.recorded) command(s) to \(TerminalText.escape(done.path))"
                               + (done.failed > 0 ? " (\(done.failed) failed, kept as comments)" : "")
                               + "; replay with: exhunt -f \(Tokenizer.quote(done.path))")
            }
        default:
            throw ShellError("usage: \(usage)")
        }
    }

    /// The `load` commands that succeeded so far in the session, as typed (variables unexpanded), so a recording
    /// started after them can say what evidence its commands ran on.
    static func loadCommands(_ session: Session) -> [String] {
        ProvenanceLedger.of(session).commands.filter { !$0.failed }.flatMap { entry -> [String] in
            ((try? Tokenizer.segments(entry.line)) ?? []).filter { segment in
                guard let word = segment.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { return false }
                return (try? session.registry.find(String(word)))?.name == "load"
            }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The session's recorder, hooked to the session's command observers on first use.
    static func recorder(_ session: Session) -> CommandRecorder {
        session.attachment(CommandRecorder.self) {
            let r = CommandRecorder()
            session.observers.append { [weak r, weak session] line, error in
                r?.observe(line, error, depth: session?.sourceDepth ?? 0, replay: session?.replayForm)
            }
            return r
        }
    }
}

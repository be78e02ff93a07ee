/// `lesson [N|NAME]`: lists the lessons, or starts one (loading the training evidence it uses). A lesson runs
/// in a case of its own, so its marks never land in the user's open case; it names events by FILE:LINE, which
/// stay the same whatever else is loaded.
struct LessonCommand: Command {
    var name: String { "lesson" }
    var summary: String { "guided lessons on the training evidence: list them, or start one ('lesson 1')" }
    var usage: String { "lesson [N|NAME]" }
    /// Lesson names, read when Tab is pressed so a lesson added meanwhile completes too.
    var completion: ArgumentCompletion { .words(LessonLibrary(help: HelpLibrary()).load().lessons.map(\.name)) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let library = LessonLibrary(help: ctx.session.help)
        let run = LessonRun.of(ctx.session)
        guard let word = args.positional.first else { return list(library, run, ctx) }
        guard args.positional.count == 1 else { throw ShellError("usage: \(usage)") }
        let lesson = try library.find(word)
        // The training set cannot be unloaded again: loaded beside an investigation's evidence, its servers would
        // stay in that session's report (reviewer: "EX01 compromised" beside the real servers after 'exit').
        let training = LessonRun.trainingSet(ctx.session)
        let others = ctx.session.evidenceSetNames.filter { $0 != training }
        if lesson.evidence == "demo" && !others.isEmpty {
            let sets = others.map { "'\(TerminalText.escape($0))'" }.joined(separator: ", ")
            throw ShellError("lesson: it loads the training set, whose servers would then stay beside \(sets) in this session's "
                             + "hunts and report; start it in a shell of its own: exhunt --demo, then 'lesson \(lesson.number)'")
        }
        run.quiet = true
        defer { run.quiet = false }
        // Starting another lesson leaves the running one, and its marks with it: said, not done silently (instructor review).
        let left = run.lesson.map { (lesson: $0, step: run.step) }
        if let left, !ctx.wantsJSON {
            ctx.line(left.lesson.file == lesson.file
                ? "Lesson \(lesson.number) starts again from step 1 (it was at step \(left.step + 1)); the marks made in it are dropped.\n"
                : "Left lesson \(left.lesson.number) at step \(left.step + 1) of \(left.lesson.steps.count) and the marks made in it; "
                    + "'lesson \(left.lesson.number)' starts it again.\n")
        }
        if !ctx.wantsJSON { ctx.write(LessonText.introduction(lesson)) }
        var loaded = false
        if lesson.evidence == "demo" && !LessonRun.trainingLoaded(ctx.session) {
            let load = { try Shell(session: ctx.session).run(["load", "demo"]) }
            if ctx.wantsJSON { _ = try ctx.session.router.capturing(load) } else { ctx.line(); try load() }
            loaded = true
        }
        try run.start(lesson)
        if ctx.wantsJSON {
            ctx.json(LessonText.json(lesson, 0, extra: [("loaded_training_set", .bool(loaded)),
                                                        ("left_lesson", left.map { .int($0.lesson.number) } ?? .null)]))
        }
        else { ctx.write(LessonText.step(lesson, 0)) }
    }

    private func list(_ library: LessonLibrary, _ run: LessonRun, _ ctx: CommandContext) {
        let (lessons, problems) = library.load()
        for p in problems { ctx.diagnostic("warning: \(TerminalText.escape(p))") }
        if ctx.wantsJSON {
            ctx.json(.array(lessons.map { l in
                .object([("lesson", .int(l.number)), ("name", .string(l.name)), ("title", .string(l.title)),
                         ("summary", .string(l.summary)), ("steps", .int(l.steps.count)),
                         ("current", .bool(run.lesson?.file == l.file))])
            }))
            return
        }
        if lessons.isEmpty { ctx.line("no lessons found (they are the files in help/lessons/)"); return }
        for row in LessonText.rows(lessons) { ctx.line(row) }
        if let l = run.lesson {
            ctx.line("In lesson \(l.number), step \(run.step + 1) of \(l.steps.count). 'exit' leaves it.")
        } else {
            ctx.line("Start one with 'lesson NAME' or 'lesson N'; 'help lessons/NAME' reads one without starting it.")
        }
    }
}

/// `next`: checks the step's question and moves on.
struct NextCommand: Command {
    var name: String { "next" }
    var summary: String { "in a lesson: check this step and go to the next one" }
    var usage: String { "next [--skip]" }
    var options: [OptionSpec] { [.flag("skip", "move on without checking the step")] }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let run = try LessonRun.active(ctx.session)
        let lesson = run.lesson!
        if !args.flag("skip") {
            let unmet = run.unmet(in: ctx.session, revealing: false)
            if !unmet.isEmpty {
                throw ShellError("not yet: this step asks you to " + unmet.joined(separator: ", and to ")
                                 + ". Type 'hint' for help, or 'next --skip' to go on anyway.")
            }
        }
        run.quiet = true
        defer { run.quiet = false }
        if run.step + 1 < lesson.steps.count {
            run.go(to: run.step + 1)
            if ctx.wantsJSON { ctx.json(LessonText.json(lesson, run.step)) } else { ctx.write(LessonText.step(lesson, run.step)) }
            return
        }
        run.leave()
        if ctx.wantsJSON {
            ctx.json(.object([("lesson", .int(lesson.number)), ("name", .string(lesson.name)), ("completed", .bool(true))]))
        } else {
            ctx.line("\nLesson \(lesson.number) complete: \(TerminalText.escape(lesson.title)). The evidence stays loaded; the lesson's marks "
                     + "were in a case of its own, now closed; 'lesson' lists the others.")
        }
    }
}

/// `back`: the previous step again.
struct BackCommand: Command {
    var name: String { "back" }
    var summary: String { "in a lesson: go back one step" }
    var usage: String { "back" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let run = try LessonRun.active(ctx.session)
        guard run.step > 0 else { throw ShellError("back: this is the first step") }
        run.quiet = true
        defer { run.quiet = false }
        run.go(to: run.step - 1)
        if ctx.wantsJSON { ctx.json(LessonText.json(run.lesson!, run.step)) } else { ctx.write(LessonText.step(run.lesson!, run.step)) }
    }
}

/// `hint`: the step's hint, and what is still missing.
struct HintCommand: Command {
    var name: String { "hint" }
    var summary: String { "in a lesson: a hint for this step" }
    var usage: String { "hint" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let run = try LessonRun.active(ctx.session)
        let step = run.current!
        run.quiet = true
        defer { run.quiet = false }
        let hint = !step.hint.isEmpty ? step.hint
            : step.tries.isEmpty ? "This step has no command to type: read it, then type 'next'." : "Type the command under 'Try:'."
        let unmet = run.unmet(in: ctx.session, revealing: true)
        if ctx.wantsJSON {
            ctx.json(.object([("hint", .string(hint)), ("try", .strings(step.tries)), ("missing", .strings(unmet))]))
            return
        }
        ctx.write(LessonText.escapeLines(hint + "\n"))
        if !step.tries.isEmpty { ctx.write(LessonText.escapeLines("Try: " + step.tries.joined(separator: "; ") + "\n")) }
        if !unmet.isEmpty { ctx.line("Still to do: " + LessonText.escapeLines(unmet.joined(separator: "; "))) }
    }
}

/// `exit`: leaves the lesson in progress; outside a lesson, or with a status (`exit 3`), leaves the shell
/// like `quit`.
struct ExitCommand: Command {
    var name: String { "exit" }
    var summary: String { "leave the current lesson; outside a lesson, leave the shell" }
    var usage: String { "exit [STATUS]" }
    var positionalLimit: Int? { 1 }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let run = LessonRun.of(ctx.session)
        guard let lesson = run.lesson, args.positional.isEmpty else { try QuitCommand.leave(args, command: "exit", ctx); return }
        let step = run.step
        let own = CaseState.of(ctx.session).caseSetAside
        run.leave()
        if ctx.wantsJSON { ctx.json(.object([("lesson", .int(lesson.number)), ("left_at_step", .int(step + 1))])); return }
        ctx.line("Left lesson \(lesson.number) at step \(step + 1) of \(lesson.steps.count); 'lesson \(lesson.number)' starts it again. The evidence stays loaded; "
                 + (own.map { "your case \(TerminalText.escape($0.path)) is open again." } ?? "no case is open, as before the lesson."))
    }
}

extension LessonRun {
    /// The running lesson, or an error saying how to start one.
    static func active(_ session: Session) throws -> LessonRun {
        let run = LessonRun.of(session)
        guard run.lesson != nil else { throw ShellError("no lesson is running; 'lesson' lists them, 'lesson N' starts one") }
        return run
    }
}

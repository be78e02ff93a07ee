import Foundation

/// The lesson in progress in a session: which step, and what the learner did since the step began
/// (the commands that succeeded and what they printed), so `next` can check the step's question.
final class LessonRun {
    private(set) var lesson: Lesson?
    private(set) var step = 0
    /// Command lines that succeeded since the step began.
    private(set) var ran: [String] = []
    /// What those commands printed, the most recent `outputLimit` characters.
    private(set) var output = ""
    static let outputLimit = 1 << 20
    /// True while the lesson prints its own text or runs a check, so neither counts as the learner's output.
    var quiet = false
    private weak var session: Session?

    var current: LessonStep? { lesson.map { $0.steps[step] } }

    /// The session's lesson state, hooked to its command observers and output on first use.
    static func of(_ session: Session) -> LessonRun {
        session.attachment(LessonRun.self) {
            let run = LessonRun()
            run.session = session
            session.observers.append { [weak run] line, error in
                guard let run, run.lesson != nil, error == nil else { return }
                run.ran.append(line)
            }
            session.router.taps.append { [weak run] text in
                guard let run, run.lesson != nil, !run.quiet else { return }
                run.output += text
                if run.output.count > LessonRun.outputLimit { run.output = String(run.output.suffix(LessonRun.outputLimit / 2)) }
            }
            return run
        }
    }

    /// Starts `lesson` in a case of its own (the user's open case is put aside until the lesson ends).
    func start(_ lesson: Lesson) throws {
        if let session { try CaseState.of(session).beginLesson(session) }
        self.lesson = lesson
        go(to: 0)
    }

    func go(to step: Int) {
        self.step = step
        ran = []
        output = ""
    }

    /// Ends the lesson and gives the user's case back.
    func leave() {
        if lesson != nil, let session { CaseState.of(session).endLesson() }
        lesson = nil
        go(to: 0)
    }

    /// Whether the training evidence the lessons refer to is loaded (by `load demo` or from its folder).
    static func trainingLoaded(_ session: Session) -> Bool { trainingSet(session) != nil }

    /// The name the training evidence was loaded under, if it is loaded.
    static func trainingSet(_ session: Session) -> String? {
        let root = TrainingSet.locate(session.help)?.standardizedFileURL.path
        return session.loads.first { $0.evidenceSet == "training" || URL(fileURLWithPath: $0.root).standardizedFileURL.path == root }?.evidenceSet
    }

    /// The evidence set FILE:LINE words refer to first: the training set while a lesson runs, else none.
    static func evidenceSet(_ session: Session) -> String? {
        LessonRun.of(session).lesson == nil ? nil : trainingSet(session)
    }

    /// The tasks of the current step that are not done yet (empty when the step is answered): as `hint` says them
    /// when `revealing`, else as `next` does (`Lesson.Check.goal`).
    func unmet(in session: Session, revealing: Bool) -> [String] {
        guard let step = current else { return [] }
        var said = Set<String>()
        // Two checks of one kind read alike without their answers: said once (reviewer).
        return step.checks.compactMap { check -> String? in
            let todo = revealing ? check.task : check.goal
            switch check {
            case .ran(let pattern):
                let re = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
                let hit = ran.contains { line in re?.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil }
                return hit ? nil : todo
            case .output(let text):
                return output.contains(text) ? nil : todo
            case .query(_, let expect):
                return query(check.queryCommand!, expect: expect, session) ? nil : todo
            case .marked:
                return query(check.queryCommand!, expect: "\"event\"", session) ? nil : todo
            case .markedEvent(let event, let label):
                return markGap(event, label: label, check.task, session)
            }
        }.filter { said.insert($0).inserted }
    }

    /// Runs `command` with its output captured (not shown, not counted, not recorded) and looks for `expect`.
    private func query(_ command: String, expect: String, _ session: Session) -> Bool {
        quiet = true
        defer { quiet = false }
        let shell = Shell(session: session)
        let captured = session.router.capturing {
            do {
                for words in try Tokenizer.commands(command, variables: { session.variables[$0] }) { try shell.run(words) }
            } catch {
                session.output.diagnostic("\(error)")
            }
        }
        return captured.stdout.contains(expect)
    }
}

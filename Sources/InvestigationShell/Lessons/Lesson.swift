import Foundation

/// A lesson read from `help/lessons/NN-name.md`: front matter, an introduction, and steps. Each step
/// explains one moment of the attack and which log shows it, names the command to try, and declares the
/// checks `next` makes before moving on.
public struct Lesson: Sendable {
    /// From the file name: `01-ssrf.md` is lesson 1, named `ssrf`.
    public var number: Int
    public var name: String
    public var title: String
    /// One line for the `lesson` list.
    public var summary: String
    /// `demo` loads the training evidence set when the lesson starts; `none` loads nothing.
    public var evidence: String
    public var introduction: String
    public var steps: [LessonStep]
    /// The file the lesson came from (for messages).
    public var file: String
}

public struct LessonStep: Sendable {
    public var title: String
    /// The explanation, as written (Markdown).
    public var text: String
    /// Commands to try, one per line (`try` block). The golden test and a learner following hints run them.
    public var tries: [String]
    /// All must hold for `next` to move on (`check` block).
    public var checks: [LessonCheck]
    public var hint: String
}

/// One condition a step's `check` block declares.
public enum LessonCheck: Sendable, Equatable {
    /// `ran REGEX`: a command that succeeded since the step began matches (case-insensitive).
    case ran(String)
    /// `output TEXT`: a command run since the step began printed TEXT.
    case output(String)
    /// `query COMMAND => TEXT`: running COMMAND now, quietly, prints TEXT.
    case query(command: String, expect: String)
    /// `marked FIELD=VALUE`: an event with FIELD=VALUE is marked (asks `timeline --marked --field FIELD=VALUE`).
    case marked(field: String, value: String)
    /// `marked FILE:LINE as LABEL`: the case marks that event with LABEL. Decided on the case, not on what was
    /// typed, so the learner may name the event by any path ending, event id, finding or IOC hit.
    case markedEvent(String, label: String)

    /// The command a `query` or `marked` check runs.
    var queryCommand: String? {
        switch self {
        case .query(let c, _): return c
        case .marked(let f, let v): return "timeline --marked --field \(Tokenizer.quote(f + "=" + v)) --json"
        case .ran, .output, .markedEvent: return nil
        }
    }

    /// A `ran` pattern as the command it asks for (`^check-build.*--history` → `check-build … --history`), or nil
    /// when it uses more of the regular-expression language than anchors, `.*`, `\\.` and `\\b`.
    static func command(_ pattern: String) -> String? {
        var p = pattern
        if p.hasPrefix("^") { p.removeFirst() }
        if p.hasSuffix("$") && !p.hasSuffix("\\$") { p.removeLast() }
        p = p.replacingOccurrences(of: "\\b", with: "").replacingOccurrences(of: ".*", with: " … ")
            .replacingOccurrences(of: "\\.", with: "\u{0}")
        guard !p.contains(where: { "[](){}|*+?\\^$.".contains($0) }) else { return nil }
        p = p.replacingOccurrences(of: "\u{0}", with: ".")
        while p.contains("  ") { p = p.replacingOccurrences(of: "  ", with: " ") }
        return p.trimmingCharacters(in: .whitespaces)
    }

    /// What the learner still has to do, as `hint` says it: the command, the output or value looked for.
    public var task: String {
        switch self {
        case .ran(let r): return Self.command(r).map { "run '\($0)'" } ?? "run a command matching the pattern '\(r)'"
        case .output(let t): return "run a command whose output shows '\(t)'"
        case .query(let c, let t): return "reach a state where '\(c)' shows '\(t)'"
        case .marked(let f, let v): return "mark an event with \(f)=\(v)"
        case .markedEvent(let e, let label): return "mark \(e) as \(label)"
        }
    }

    /// What `next` says is still to do: `task` without the step's answer, which `hint` gives (learner review:
    /// "output shows '167.99.168.251'" named the attacker's address before anything was found). A command to run
    /// is named: the step shows it.
    public var goal: String {
        switch self {
        case .output: return "run a command whose output shows what this step is after"
        case .query: return "get to the state this step asks for"
        case .marked: return "mark the event this step asks about"
        case .ran, .markedEvent: return task
        }
    }
}

import ExchangeEvidence
import Foundation

/// `mark EVENT_ID… as LABEL`: records the analyst's decision about events in the case file, committed
/// before the command returns. `mark finding F3 as malicious` marks every event a finding cites. Marking an
/// event again says what it replaces, and lowering a label (malicious → benign) needs `--force`: a decision
/// is not undone by a stray command (interactively, the shell asks instead).
struct MarkCommand: Command {
    var name: String { "mark" }
    var summary: String { "mark events (or a finding's or an IOC hit's events) as malicious, suspicious, benign or reviewed, with a note and tags" }
    var usage: String { "mark EVENT_ID…|FILE:LINE…|finding FINDING_ID…|ioc HIT_ID|INDICATOR… as malicious|suspicious|benign|reviewed [--note TEXT] [--tag TAG]… [--force]" }
    var options: [OptionSpec] {
        [.value("note", "TEXT", "a note kept with the mark"), .repeated("tag", "TAG", "a tag (repeatable; exported as Timesketch tags)"),
         .flag("force", "lower the label of events already marked higher (malicious → suspicious → benign/reviewed)")]
    }

    /// Weight of a label: replacing a mark by one of lower weight is a downgrade. Benign and reviewed weigh
    /// the same (both say "not evidence of the attack").
    static func weight(_ label: String) -> Int { ["malicious": 2, "suspicious": 1][label] ?? 0 }
    var completion: ArgumentCompletion { .words(["as", "finding", "ioc"] + TimelineFilter.labels) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        var words = args.positional
        guard let asIndex = words.lastIndex(where: { $0.lowercased() == "as" }), asIndex + 1 == words.count - 1 else {
            throw ShellError("usage: \(usage)")
        }
        let label = words[asIndex + 1].lowercased()
        guard TimelineFilter.labels.contains(label) else {
            throw ShellError("mark: label must be one of \(TimelineFilter.labels.joined(separator: ", ")), not '\(TerminalText.escape(label))'")
        }
        words = Array(words[..<asIndex])
        let session = ctx.session
        let targets = try MarkTargets.resolve(words, session: session, command: name)
        let state = CaseState.of(session)
        let file = try state.requireFile(session)
        let store = session.store
        let now = CaseState.now
        let note = args.value("note") ?? ""
        let existing = state.resolvedMarks(for: store)
        let replaced = targets.compactMap { t in existing[t.event].map { (event: t.event, old: $0) } }
        let downgrades = replaced.filter { Self.weight($0.old.label) > Self.weight(label) }
        if !downgrades.isEmpty && !args.flag("force") {
            let list = downgrades.prefix(5).map { "\($0.event) (\($0.old.label)\($0.old.note.isEmpty ? "" : ", note '\($0.old.note)'"), by \($0.old.user))" }
            let question = "mark: \(downgrades.count) event\(downgrades.count == 1 ? " is" : "s are") marked higher than \(label): "
                + TerminalText.escape(list.joined(separator: "; ")) + (downgrades.count > 5 ? "; …" : "") + ". Lower to \(label)?"
            if let confirm = session.confirm {
                guard confirm(question) else { throw ShellError("mark: nothing changed") }
            } else {
                throw ShellError("mark: \(downgrades.count) event\(downgrades.count == 1 ? " is" : "s are") already marked higher than \(label): "
                             + TerminalText.escape(list.joined(separator: "; ")) + (downgrades.count > 5 ? "; …" : "")
                             + ". Add --force to lower the label, or 'unmark' first")
            }
        }
        // A mark found on a re-collected copy of its file moves to this copy, keeping its note, tags and finding
        // as re-marking does (the case would otherwise hold two marks of one event, and unmark reach one).
        var moved: [CaseMark.Key] = []
        let marks = targets.map { t -> CaseMark in
            let key = state.key(of: t.event, in: store)
            let old = existing[t.event].flatMap { $0.key == key ? nil : $0 }
            if let old { moved.append(old.key) }
            return CaseMark(sha256: key.sha256, line: key.line, path: store.file(of: t.event).path, server: store.server(of: t.event),
                            eventTime: store.time[t.event], message: EventMessage.build(store, t.event), label: label,
                            note: note.isEmpty ? old?.note ?? "" : note, tags: args.values("tag").isEmpty ? old?.tags ?? [] : args.values("tag"),
                            finding: t.finding ?? old?.finding, user: CaseState.user, markedAt: now)
        }
        try file.saveMarks(marks)
        try file.removeMarks(moved)
        if !MarkTargets.namesLines(words) {
            session.replays(as: "mark " + MarkTargets.lineWords(targets, store).joined(separator: " ") + " as \(label)"
                + (note.isEmpty ? "" : " --note " + Tokenizer.quote(note)) + args.values("tag").map { " --tag " + Tokenizer.quote($0) }.joined()
                + (args.flag("force") ? " --force" : ""))
        }
        state.changed()
        let shifted = targets.filter { $0.moved != nil }
        if ctx.wantsJSON {
            ctx.json(.object([("marked", .int(marks.count)), ("label", .string(label)), ("events", .array(targets.map { .int($0.event) })),
                              ("case", .string(file.path)),
                              ("moved", .array(shifted.map { t in
                                  .object([("cited", .string(t.moved!)), ("event", .int(t.event)), ("line", .int(store.line(of: t.event)))])
                              })),
                              ("replaced", .array(replaced.map { r in
                                  .object([("event", .int(r.event)), ("label", .string(r.old.label)), ("note", .string(r.old.note)),
                                           ("user", .string(r.old.user)), ("marked_at", .time(r.old.markedAt))])
                              }))]))
            return
        }
        for r in replaced.prefix(10) {
            let keeps = note.isEmpty ? (r.old.note.isEmpty ? "" : ", note kept") : (r.old.note.isEmpty || r.old.note == note ? "" : ", note '\(r.old.note)' replaced")
            let now = r.old.label == label ? "marked again" : "now \(label)"
            ctx.status(TerminalText.escape("event \(r.event) was marked \(r.old.label) by \(r.old.user) at \(session.displayTime(r.old.markedAt)): \(now)\(keeps)"))
        }
        if replaced.count > 10 { ctx.status("… and \(replaced.count - 10) more marked events relabelled") }
        if let first = shifted.first {
            // A replay on evidence that changed since the marks were made: the events are found by their time and line
            // digest, and the analyst learns the file is not the one cited (reviewer: 28 marks moved a line, unsaid).
            ctx.status(TerminalText.escape("note: \(shifted.count) event\(shifted.count == 1 ? " is" : "s are") at another line than cited, found by "
                + "time and line digest: the file differs from the one cited (lines added or removed before \(shifted.count == 1 ? "it" : "them")); "
                + "e.g. \(first.moved!) is now line \(store.line(of: first.event))"))
        }
        let place = state.inLesson ? "the lesson's own case" : TerminalText.escape(file.path)
        ctx.status("marked \(marks.count) event\(marks.count == 1 ? "" : "s") \(label) in \(place)" + Self.findingsNamed(targets, session))
    }

    /// `: F4 is proxylogon.chain (ProxyLogon chain)` for the findings a mark named: finding numbers change when
    /// rules are loaded, so the analyst sees which finding a number meant before trusting the note to it.
    static func findingsNamed(_ targets: [MarkTargets.Target], _ session: Session) -> String {
        var ids: [String] = []
        for t in targets { if let f = t.finding, !ids.contains(f) { ids.append(f) } }
        guard !ids.isEmpty else { return "" }
        let citations = session.findingCitationsRunningHunt()
        let named = ids.prefix(3).compactMap { id in
            citations.outline(ofFinding: id).map { "\(id) is \($0.rule) (\($0.title))" }
        }
        return named.isEmpty ? "" : TerminalText.escape(": " + named.joined(separator: "; ") + (ids.count > 3 ? "; …" : ""))
    }
}

/// The events a `mark`/`unmark` names: ids (`12`, `#12`, `12-15`), `finding F3 F4`, or `ioc I3 VALUE`
/// (hits numbered by the last `grep-ioc --hits`, or every event where an indicator of that value hits).
enum MarkTargets {
    /// `moved`: the `FILE:LINE` it was cited by, when its time and digest found it at another line.
    struct Target { var event: EventID; var finding: String?; var moved: String? = nil }

    /// True when every word names an event in the checked form (`EventReference`), which means the same on any evidence.
    static func namesLines(_ words: [String]) -> Bool {
        words.allSatisfy { EventReference($0)?.isChecked == true }
    }

    /// True when the word names an event by `FILE:LINE`, with or without its checks.
    static func isLine(_ w: String) -> Bool { EventReference(w) != nil }

    /// The targets in the checked form (`FILE:LINE@TIME#DIGEST`, paths relative to the evidence root, server folder
    /// included), quoted: the form a replay of the case's history runs.
    static func lineWords(_ targets: [Target], _ store: EventStore) -> [String] {
        targets.map { Tokenizer.quote(EventReference.word($0.event, in: store)) }
    }

    static func resolve(_ words: [String], session: Session, command: String) throws -> [Target] {
        guard !words.isEmpty else { throw ShellError("\(command): name events by id, or 'finding FINDING_ID'") }
        let store = session.store
        var out: [Target] = []
        var seen = Set<EventID>()
        if words[0].lowercased() == "finding" || words[0].lowercased() == "findings" {
            guard words.count > 1 else { throw ShellError("\(command): name the finding, e.g. '\(command) finding F3'") }
            // Like `show F3`, `timeline --finding` and `report`: the hunt runs first if it has not on this evidence.
            if store.files.isEmpty { throw ShellError("\(command): nothing loaded; 'load PATH' or 'load demo' first") }
            let provider = session.findingCitationsRunningHunt()
            for id in words.dropFirst() {
                guard let events = provider.events(ofFinding: id) else {
                    throw ShellError("\(command): no finding '\(TerminalText.escape(id))'")
                }
                for e in events where seen.insert(e).inserted { out.append(Target(event: e, finding: id)) }
            }
            return out
        }
        if words[0].lowercased() == "ioc" {
            guard words.count > 1 else {
                throw ShellError("\(command): name the hit or the indicator, e.g. '\(command) ioc I3' or '\(command) ioc 167.99.168.251'")
            }
            for w in words.dropFirst() {
                let events = IOCHitList.isHitID(w)
                    ? [try IOCHitList.of(session).event(w, store: store, command: command)]
                    : try IOCHitList.events(ofIndicator: w, session: session, command: command)
                for e in events where seen.insert(e).inserted { out.append(Target(event: e, finding: nil)) }
            }
            return out
        }
        for w in words {
            let text = w.hasPrefix("#") ? String(w.dropFirst()) : w
            let bounds: ClosedRange<Int>
            if let reference = EventReference(w), reference.citation != w {
                let (e, moved) = try reference.event(in: store, command: command, preferring: LessonRun.evidenceSet(session))
                if moved, seen.insert(e).inserted { out.append(Target(event: e, finding: nil, moved: reference.citation)) }
                bounds = e...e
            } else if let dash = text.firstIndex(of: "-"), let a = Int(text[..<dash]), let b = Int(text[text.index(after: dash)...]) {
                guard a <= b else { throw ShellError("\(command): '\(TerminalText.escape(w))' runs from high to low; write \(b)-\(a)") }
                bounds = a...b
            } else if let a = Int(text) {
                bounds = a...a
            } else if let e = try ShowCommand.event(at: w, in: store, command: command, preferring: LessonRun.evidenceSet(session)) {
                bounds = e...e
            } else if ShowCommand.isFindingID(w) {
                throw ShellError("\(command): '\(TerminalText.escape(w))' is a finding, not an event: "
                                 + "'mark finding \(TerminalText.escape(w)) as LABEL' marks the events it cites")
            } else if ShowCommand.isFileWord(w), store.count > 0 {
                try ShowCommand.checkFileWord(w, in: store, command: command)
                throw ShellError.noEvent("'\(TerminalText.escape(w))'", command: command, count: store.count)
            } else {
                throw ShellError("\(command): '\(TerminalText.escape(w))' is not an event id")
            }
            guard bounds.lowerBound >= 0, bounds.upperBound < store.count else {
                throw ShellError.noEvent("'\(TerminalText.escape(w))'", command: command, count: store.count)
            }
            for e in bounds where seen.insert(e).inserted { out.append(Target(event: e, finding: nil)) }
        }
        return out
    }
}

/// `unmark EVENT_ID…`: removes marks from the case.
struct UnmarkCommand: Command {
    var name: String { "unmark" }
    var summary: String { "remove the marks of events (or of a finding's or an IOC hit's events)" }
    var usage: String { "unmark EVENT_ID…|finding FINDING_ID…|ioc HIT_ID|INDICATOR…" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let session = ctx.session
        let targets = try MarkTargets.resolve(args.positional, session: session, command: name)
        let state = CaseState.of(session)
        // Where `mark` put its marks with no case open (./exhunt.case), `unmark` finds them.
        guard state.file != nil || FileManager.default.fileExists(atPath: CaseState.defaultPath) else {
            throw ShellError("unmark: no case is open ('case open PATH'), and there is no ./\(CaseState.defaultPath)")
        }
        let file = try state.requireFile(session)
        let existing = state.resolvedMarks(for: session.store)
        let removed = try file.removeMarks(targets.map { existing[$0.event]?.key ?? state.key(of: $0.event, in: session.store) })
        if !MarkTargets.namesLines(args.positional) {
            session.replays(as: "unmark " + MarkTargets.lineWords(targets, session.store).joined(separator: " "))
        }
        state.changed()
        if ctx.wantsJSON { ctx.json(.object([("unmarked", .int(removed))])); return }
        ctx.status("unmarked \(removed) event\(removed == 1 ? "" : "s")")
    }
}

/// `marks`: every mark in the case, in event time order, with who marked it and when.
struct MarksCommand: Command {
    var name: String { "marks" }
    var summary: String { "list the case's marks in time order with label, note, tags, user and time" }
    var usage: String { "marks [--label LABEL]" }
    var positionalLimit: Int? { 0 }
    var options: [OptionSpec] { [.value("label", "LABEL", "only this label", choices: TimelineFilter.labels)] }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let session = ctx.session
        let state = CaseState.of(session)
        state.openDefaultIfPresent(session)
        let marks = state.marks().filter { args.value("label") == nil || $0.label == args.value("label") }
        let store = session.store
        let loaded = marks.map { state.event(of: $0, in: store) }
        if ctx.wantsJSON {
            ctx.json(.array(zip(marks, loaded).map { m, e in
                .object([("event", e.map { .int($0.event) } ?? .null), ("recollected", .bool(e?.recollected ?? false)),
                         ("set_aside", .bool(e?.setAside ?? false)), ("time", .time(m.eventTime)), ("server", .string(m.server)),
                         ("file", .string(m.path)), ("line", .int(m.line)), ("sha256", .string(m.sha256)), ("label", .string(m.label)),
                         ("note", .string(m.note)), ("tags", .strings(m.tags)), ("finding", .optional(m.finding)),
                         ("user", .string(m.user)), ("marked_at", .time(m.markedAt)), ("message", .string(m.message))])
            }))
            return
        }
        guard state.file != nil else { ctx.line("no case is open; 'mark' opens ./\(CaseState.defaultPath), or 'case open PATH'"); return }
        if marks.isEmpty { ctx.line("no marks"); return }
        var table = TextTable(["event", "time", "server", "label", "user", "marked at", "tags", "note", "message"])
        for (m, e) in zip(marks, loaded) {
            table.add([e.map { "\($0.event)" + ($0.setAside ? " (re-collected; set aside: this copy's mark counts)" : $0.recollected ? " (re-collected)" : "") } ?? "(not loaded)", session.displayTime(m.eventTime), m.server, m.label, m.user,
                       session.displayTime(m.markedAt), m.tags.joined(separator: ","), m.note, m.message])
        }
        ctx.table(table)
    }
}

/// `note TEXT`: a free note in the case; `note` alone lists them.
struct NoteCommand: Command {
    var name: String { "note" }
    var summary: String { "add a free note to the case (without text: list the notes)" }
    var usage: String { "note [TEXT…]" }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let session = ctx.session
        let state = CaseState.of(session)
        // The learner's own words are no finding: a lesson's `output` check must not pass on a note read back
        // (reviewer: `note 89.34.111.11` then `note` answered a step), as it does not on `help`.
        let lesson = LessonRun.of(session)
        lesson.quiet = true
        defer { lesson.quiet = false }
        if args.positional.isEmpty {
            let notes = try state.file?.notes() ?? []
            if ctx.wantsJSON {
                ctx.json(.array(notes.map { .object([("id", .int(Int($0.id))), ("time", .time($0.time)), ("user", .string($0.user)),
                                                     ("text", .string($0.text))]) }))
                return
            }
            if notes.isEmpty { ctx.line("no notes"); return }
            for n in notes { ctx.line("\(session.displayTime(n.time))  \(TerminalText.escape(n.user))  \(TerminalText.escape(n.text))") }
            return
        }
        let file = try state.requireFile(session)
        let id = try file.addNote(args.positional.joined(separator: " "), user: CaseState.user, time: CaseState.now)
        if ctx.wantsJSON { ctx.json(.object([("note", .int(Int(id))), ("case", .string(file.path))])); return }
        ctx.status("note \(id) added to \(TerminalText.escape(file.path))")
    }
}

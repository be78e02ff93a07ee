import ExchangeEvidence

extension LessonRun {
    /// What is missing for a `marked FILE:LINE as LABEL` check, nil when the case marks that event with that
    /// label. The check reads the case, not the command line: the learner may have named the event by a longer
    /// path, its event id or a finding, and a mark is what the step asks for. A learner who marked a neighbour
    /// instead (another request of the same log) is told so: the step asks for one event, not the attacker's.
    func markGap(_ name: String, label: String, _ task: String, _ session: Session) -> String? {
        let store = session.store
        guard let event = Self.event(named: name, session) else { return task }
        let marks = CaseState.of(session).resolvedMarks(for: store)
        if let mark = marks[event] { return mark.label == label ? nil : "\(task) (it is marked \(mark.label) now)" }
        let asked = Set(current?.checks.compactMap { check -> EventID? in
            if case .markedEvent(let other, _) = check { return Self.event(named: other, session) } else { return nil }
        } ?? [])
        let file = store.fileIndex[event]
        let lines = marks.keys.filter { store.fileIndex[$0] == file && !asked.contains($0) }.map { store.line(of: $0) }.sorted()
        guard let last = lines.last else { return task }
        let named = lines.count == 1 ? "line \(last)" : "lines " + lines.dropLast().map(String.init).joined(separator: ", ") + " and \(last)"
        return "\(task) (you marked \(named) of that file, not the event this step asks for)"
    }

    /// The event a lesson names by FILE:LINE, in the training set where another loaded file has the same name.
    private static func event(named name: String, _ session: Session) -> EventID? {
        (try? ShowCommand.event(at: name, in: session.store, command: "next", preferring: evidenceSet(session))) ?? nil
    }
}

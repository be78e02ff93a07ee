import ExchangeEvidence

extension LessonRun {
    /// What is missing for a `marked FILE:LINE as LABEL` check, nil when the case marks that event with that
    /// label. The check reads the case, not the command line: the learner may have named the event by a longer
    /// path, its event id or a finding, and a mark is what the step asks for.
    func markGap(_ name: String, label: String, _ task: String, _ session: Session) -> String? {
        let store = session.store
        guard let event = try? ShowCommand.event(at: name, in: store, command: "next", preferring: Self.evidenceSet(session)) else { return task }
        guard let mark = CaseState.of(session).resolvedMarks(for: store)[event] else { return task }
        return mark.label == label ? nil : "\(task) (it is marked \(mark.label) now)"
    }
}

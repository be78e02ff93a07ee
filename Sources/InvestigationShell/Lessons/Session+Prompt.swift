extension Session {
    /// The interactive prompt: `exhunt> `, or `exhunt (lesson 1, step 2/5)> ` while a lesson runs, so the
    /// learner always sees where they are.
    public var prompt: String {
        guard let run = Optional(LessonRun.of(self)), let lesson = run.lesson else { return "exhunt> " }
        return "exhunt (lesson \(lesson.number), step \(run.step + 1)/\(lesson.steps.count))> "
    }
}

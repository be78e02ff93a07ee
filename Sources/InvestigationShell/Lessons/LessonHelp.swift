/// Lessons as help topics: `help lessons` lists them and `help lessons/NAME` reads one without starting it.
/// The topics are named by the names `lesson` accepts (`lessons/ssrf`), not by the files, and the text is the
/// lesson as a learner sees it: the check blocks and hints hold the answers, and the front matter is the
/// instructor's, so neither is shown.
enum LessonHelp {
    static let list = "lessons"
    static let prefix = "lessons/"

    static func isTopic(_ topic: String) -> Bool { topic == list || topic.hasPrefix(prefix) }

    /// `lessons` and `lessons/NAME` for every lesson that reads.
    static func topics(in help: HelpLibrary) -> [String] {
        [list] + LessonLibrary(help: help).load().lessons.map { prefix + $0.name }
    }

    /// The text of `lessons` or `lessons/N|NAME`; throws (as `lesson` does) when no lesson has that name.
    static func text(_ topic: String, in help: HelpLibrary) throws -> String {
        let library = LessonLibrary(help: help)
        if topic == list { let (lessons, problems) = library.load(); return LessonText.index(lessons, problems: problems) }
        return LessonText.reading(try library.find(String(topic.dropFirst(prefix.count))))
    }
}

/// The "did you mean …?" hint for a mistyped name (a command, a rule id): the candidate fewest edits away,
/// when it is close enough to be what was meant. One rule for every kind of name, so they suggest alike.
enum DidYouMean {
    /// ` (did you mean 'NAME'?)`, or "" when no candidate is within `maxEdits` edits of `word`. `typed` turns the
    /// name into what to type (`help rules/NAME` for a help topic).
    static func hint(_ word: String, among candidates: [String], maxEdits: Int = 3, typed: (String) -> String = { $0 }) -> String {
        guard let close = candidates.min(by: { levenshtein($0, word) < levenshtein($1, word) }),
              levenshtein(close, word) <= maxEdits else { return "" }
        return " (did you mean '\(typed(close))'?)"
    }
}

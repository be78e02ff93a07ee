/// The level a rule file declares for its rule (Sigma's `level:`, a YARA rule's `severity`/`level`/`threat_level`
/// meta), read by one rule for both formats: a word exhunt does not know is a load warning naming the level used
/// instead, the one the format gives a rule that declares none (Sigma medium, YARA high), never a silent guess.
enum RuleLevel {
    /// The words read, lower-cased.
    static func severity(named word: String) -> Severity? {
        switch word.lowercased() {
        case "critical": .critical
        case "high": .high
        case "medium", "moderate": .medium
        case "low": .low
        case "informational", "info": .info
        default: nil
        }
    }

    /// The word `rules` lists for a Sigma rule's level: Sigma's own (`informational`, never `info`, which is read
    /// as it).
    static func sigmaWord(_ s: Severity) -> String { s == .info ? "informational" : s.name }

    /// The warning for an unknown word (`FILE:LINE: warning: …`).
    static func warning(file: String, line: Int, key: String, word: String, used: Severity) -> String {
        "\(file):\(line): warning: \(key) '\(word)' is not a level (critical, high, medium, low, informational): \(used.name) used"
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `help rules/sigma:<id>` and `help rules/yara:<name>`: a rule loaded from a file has no help page, so its
/// help is what `rules` knows of it and the rule's own text, read from its file (hunt footers point every
/// finding's rule to `help rules/ID`). The bare id works too (`help rules/<uuid>`), as `hunt --rule` takes it;
/// when rules of several kinds share it, the help lists them instead of picking one.
enum LoadedRuleHelp {
    /// Lines of the rule's text shown at most.
    static let maxLines = 80

    /// The help of the loaded rule `topic` names (`rules/ID`, ID as findings carry it), or nil.
    static func text(_ topic: String, _ library: RuleLibrary) -> String? {
        guard topic.lowercased().hasPrefix("rules/") else { return nil }
        let id = topic.dropFirst("rules/".count).lowercased()
        if let r = library.rules.first(where: { $0.findingRule.lowercased() == id }) { return text(of: r) }
        let bare = library.rules.filter { $0.id.lowercased() == id }
        guard let r = bare.first else { return nil }
        if bare.contains(where: { $0.kind != r.kind }) {
            let ids = bare.map { esc($0.findingRule) }
            return "# \(esc(String(topic.dropFirst("rules/".count))))\n\nMore than one loaded rule has this id, one per kind: "
                + ids.joined(separator: ", ") + ". Name one with its kind: " + ids.map { "`help rules/\($0)`" }.joined(separator: ", ") + ".\n"
        }
        return text(of: r)
    }

    /// The help of one loaded rule.
    private static func text(of r: LoadedRule) -> String {
        var out = "# \(esc(r.findingRule))\n\n\(esc(r.title))\n\n"
        out += "- kind: \(r.kind), level \(esc(r.level))" + (r.status.isEmpty ? "" : ", status \(esc(r.status))") + "\n"
        out += "- file: \(esc(r.source)):\(r.line)\n"
        if let sigma = r.payload as? SigmaRule {
            out += "- log source: \(esc(sigma.logsource.description))\n"
            if !sigma.cves.isEmpty { out += "- CVEs: \(sigma.cves.joined(separator: ", "))\n" }
            if !sigma.description.isEmpty { out += "\n" + esc(sigma.description) + "\n" }
        }
        if !r.references.isEmpty { out += "\nReferences:\n" + r.references.map { "- \(esc($0))\n" }.joined() }
        out += "\n## The rule as its file holds it now\n\n" + ruleText(r).map { "    \($0)\n" }.joined()
        out += "\n`hunt --rule \(esc(r.findingRule))` runs it alone; `rules` lists the loaded rules.\n"
        return out
    }

    /// The rule's lines from where it starts to the end of its YAML document, or of a YARA rule's braces (or the
    /// file), at most `maxLines`; a file that is gone or unreadable is said so.
    private static func ruleText(_ r: LoadedRule) -> [String] {
        guard let data = FileManager.default.contents(atPath: r.source) else { return ["(the file cannot be read now)"] }
        let lines = String(decoding: data, as: UTF8.self).textLines()
        var out: [String] = []
        for raw in lines.dropFirst(max(r.line - 1, 0)) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if !out.isEmpty && line.hasPrefix("---") { break }
            if out.count == maxLines { out.append("… (more in the file)"); break }
            out.append(esc(String(line)))
            if r.kind == "yara" && line.hasPrefix("}") { break }
        }
        while out.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { out.removeLast() }
        return out
    }

    /// Rule files come from anywhere: their text is shown escaped.
    private static func esc(_ s: String) -> String { TerminalText.escape(s) }
}

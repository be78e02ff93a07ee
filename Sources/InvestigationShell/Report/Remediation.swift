import ExchangeDetection
import Foundation

/// Remediation steps kept as data (`Resources/remediation/steps.json`): each step says which verdicts,
/// finding rules or mark tags call for it, so advice changes without code changes.
struct RemediationCatalog: Decodable {
    struct Step: Decodable {
        var id: String
        var order: Int
        var verdicts: [String]?
        var rules: [String]?
        /// The least severity a finding of `rules` must have to call for the step: a low finding (an archive in a
        /// vendor's folder) does not make "find out what was taken, tell the people concerned" a step (reviewer).
        var minSeverity: String?
        var tags: [String]?
        /// True when the reasons should name each server's recommended update.
        var namesUpdate: Bool?
        var title: String
        var text: String
    }

    var version: Int
    var steps: [Step]

    static func load() throws -> RemediationCatalog {
        do {
            return try JSONDecoder().decode(RemediationCatalog.self, from: DetectionData.data("remediation/steps.json"))
        } catch {
            throw ShellError("report: the remediation steps could not be read (remediation/steps.json): \(error)")
        }
    }

    /// A step that applies, with the reasons it does (`EX01: finding F3 webshell.file`).
    struct Applied {
        var step: Step
        var reasons: [String]
    }

    /// The steps the servers' verdicts, findings and marks call for, in order.
    func applicable(_ servers: [ServerAssessment]) -> [Applied] {
        var out: [Applied] = []
        for step in steps.sorted(by: { $0.order < $1.order }) {
            var reasons: [String] = []
            let least = step.minSeverity.flatMap(Severity.init(name:)) ?? .info
            func counts(_ severity: String) -> Bool { (Severity(name: severity) ?? .critical) >= least }
            for s in servers {
                if step.verdicts?.contains(s.verdict.rawValue) == true {
                    let update = step.namesUpdate == true ? s.recommendedUpdate.map { " (\($0))" } ?? "" : ""
                    reasons.append("\(s.server): \(s.verdict.rawValue)\(update)")
                }
                for f in s.findings where step.rules?.contains(f.facts.rule) == true && f.cleared == nil && counts(f.facts.severity) {
                    reasons.append("\(s.server): finding \(f.id) \(f.facts.rule)")
                }
                for t in s.unlisted where step.rules?.contains(t.rule) == true && counts(t.severity)
                    && !s.findings.contains(where: { $0.facts.rule == t.rule && $0.cleared == nil && counts($0.facts.severity) }) {
                    reasons.append("\(s.server): \(t.count) findings of \(t.rule)")
                }
                for m in s.marks where !(Set(m.tags).isDisjoint(with: step.tags ?? [])) {
                    reasons.append("\(s.server): marked event at line \(m.line) of \(m.path) tagged \(m.tags.joined(separator: ","))")
                }
            }
            if !reasons.isEmpty { out.append(Applied(step: step, reasons: reasons)) }
        }
        return out
    }
}

import ExchangeDetection
import ExchangeEvidence
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
        /// The least severity per rule, where a rule's lower findings say the opposite of the step: a request
        /// for a shell's page that was refused (404, medium) is a probe, not a shell to remove (reviewer).
        var ruleSeverity: [String: String]?
        var tags: [String]?
        /// True when the reasons should name each server's recommended update.
        var namesUpdate: Bool?
        /// What the step names from the findings that call for it (the web shells' paths), so "delete the files
        /// the findings name" does not send the responder back through the findings table.
        var lists: Listing?
        var title: String
        var text: String
    }

    /// Values a step lists: of the events of the listed `rules`' findings, the first non-empty of `fields` (an
    /// interned field's name, `url_stem`, or a field of the event's own).
    struct Listing: Decodable {
        var label: String
        var rules: [String]
        var fields: [String]
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

    /// A step that applies, with the reasons it does (`EX01: finding F3 webshell.file`) and what it names, per
    /// server (`EX01`, `C:\inetpub\wwwroot\aspnet_client\supp0rt.aspx`): the values are evidence, shown as code.
    struct Applied {
        var step: Step
        var reasons: [String]
        var named: [(server: String, value: String)] = []
    }

    /// The steps the servers' verdicts, findings and marks call for, in order.
    func applicable(_ servers: [ServerAssessment], store: EventStore) -> [Applied] {
        var out: [Applied] = []
        for step in steps.sorted(by: { $0.order < $1.order }) {
            var reasons: [String] = []
            let least = step.minSeverity.flatMap(Severity.init(name:)) ?? .info
            func counts(_ severity: String, _ rule: String) -> Bool {
                (Severity(name: severity) ?? .critical) >= (step.ruleSeverity?[rule].flatMap(Severity.init(name:)) ?? least)
            }
            for s in servers {
                if step.verdicts?.contains(s.verdict.rawValue) == true {
                    let update = step.namesUpdate == true ? s.recommendedUpdate.map { " (\($0))" } ?? "" : ""
                    reasons.append("\(s.server): \(s.verdict.rawValue)\(update)")
                }
                for f in s.findings where step.rules?.contains(f.facts.rule) == true && f.cleared == nil && counts(f.facts.severity, f.facts.rule) {
                    reasons.append("\(s.server): finding \(f.id) \(f.facts.rule)")
                }
                for t in s.unlisted where step.rules?.contains(t.rule) == true && counts(t.severity, t.rule)
                    && !s.findings.contains(where: { $0.facts.rule == t.rule && $0.cleared == nil && counts($0.facts.severity, t.rule) }) {
                    reasons.append("\(s.server): \(t.count) findings of \(t.rule)")
                }
                for m in s.marks where !(Set(m.tags).isDisjoint(with: step.tags ?? [])) {
                    reasons.append("\(s.server): marked event at line \(m.line) of \(m.path) tagged \(m.tags.joined(separator: ","))")
                }
            }
            guard !reasons.isEmpty else { continue }
            out.append(Applied(step: step, reasons: reasons, named: step.lists.map { Self.named($0, servers, store, counts) } ?? []))
        }
        return out
    }

    /// What `listing` names per server, once each (case-insensitive): paths on disk first, then the URLs no
    /// path on disk already names (`/owa/auth/x.aspx` is `…\owa\auth\x.aspx`: the whole URL path ends the disk
    /// path; reviewer: by the last folder alone, `/ecp/auth/x.aspx` was taken for `…\owa\auth\x.aspx`).
    /// Findings the analyst cleared, or below the step's severity (`counts`), name nothing.
    static func named(_ listing: Listing, _ servers: [ServerAssessment], _ store: EventStore,
                      _ counts: (String, String) -> Bool) -> [(server: String, value: String)] {
        var out: [(server: String, value: String)] = []
        for s in servers {
            var seen = Set<String>()
            var disk: [String] = [], urls: [String] = []
            for f in s.findings where listing.rules.contains(f.facts.rule) && f.cleared == nil && counts(f.facts.severity, f.facts.rule) {
                for e in f.events {
                    guard let v = listing.fields.lazy.map({ value($0, of: e, store) }).first(where: { !$0.isEmpty }),
                          seen.insert(v.lowercased()).inserted else { continue }
                    if v.hasPrefix("/") { urls.append(v) } else { disk.append(v) }
                }
            }
            let onDisk = disk.map(components)
            let unnamed = urls.filter { url in let u = components(url); return !onDisk.contains { $0.count >= u.count && Array($0.suffix(u.count)) == u } }
            out += (disk + unnamed).map { (s.server, $0) }
        }
        return out
    }

    private static func value(_ field: String, of event: EventID, _ store: EventStore) -> String {
        if let interned = InternedField.allCases.first(where: { $0.name == field }) { return store.value(interned, event) }
        return store.field(field, of: event) ?? ""
    }

    /// The folders and name, lower-cased, whichever separator the path uses.
    private static func components(_ path: String) -> [Substring] {
        path.lowercased().split(whereSeparator: { $0 == "/" || $0 == "\\" })
    }
}

import ExchangeDetection
import ExchangeEvidence

/// `rules`: every detection rule with its id, CVEs, severity, the sources it reads and what it looks for.
struct RulesCommand: Command {
    var name: String { "rules" }
    var summary: String { "list the detection rules: id, CVEs, severity, sources read; 'help rules/ID' for one" }
    var usage: String { "rules" }
    var positionalLimit: Int? { 0 }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        let rules = RuleRegistry.standard
        if ctx.wantsJSON {
            ctx.json(.array(rules.map { r in
                .object([("id", .string(r.id)), ("title", .string(r.title)), ("cves", .strings(r.cves)),
                         ("severity", .string(r.severity.name)), ("sources", .strings(r.sources.map(\.rawValue))),
                         ("depends_on", .strings(r.dependsOn)), ("help", .string(r.help)), ("help_topic", .string("rules/\(r.id)"))])
            }))
            return
        }
        var table = TextTable(["id", "severity", "CVEs", "sources", "title"])
        table.maxWidth = 64
        for r in rules {
            table.add([r.id, r.severity.name, r.cves.isEmpty ? "-" : r.cves.joined(separator: " "),
                       r.dependsOn.isEmpty ? r.sources.map(\.rawValue).joined(separator: ",") : "findings", r.title])
        }
        ctx.table(table)
        ctx.line("\(rules.count) rules; 'help rules/ID' explains one, 'hunt --rule ID' runs one")
    }
}

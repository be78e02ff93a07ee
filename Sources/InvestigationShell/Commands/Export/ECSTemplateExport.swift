import Foundation

/// `export ecs-template FILE.json`: the Elasticsearch / OpenSearch index template for what `export events` and
/// `export findings` write (`PUT _index_template/exhunt`), so their bulk files load into indices that type each
/// field as exhunt meant it. Without it an index maps fields by their first value (reviewer): `source.ip` became
/// text, so address and range queries failed, and date detection made an event-data field a date that refused
/// the next event's text. Built from the ECS mapping data file, so a row a user adds there is typed here too.
struct ECSTemplateExport: ExportTarget {
    var name: String { "ecs-template" }
    var summary: String { "the index template that types the fields of 'export events' and 'export findings'" }
    var usage: String { "export ecs-template FILE.json|- [--pattern PATTERN] [--force]" }
    var options: [OptionSpec] {
        [.value("pattern", "PATTERN", "the index pattern the template applies to (default exhunt-*)"),
         .flag("force", "overwrite FILE if it exists")]
    }

    /// The longest keyword indexed, in characters: Lucene refuses a term over 32,766 bytes (the whole document
    /// with it), and a character takes at most four. A longer value stays in the document, unindexed.
    static let ignoreAbove = 8191

    /// Fields whose type is not a keyword's: `@timestamp`, the message (full text), numbers exhunt writes, and
    /// `event.original`, which ECS keeps unindexed.
    static let typed: [(String, JSONValue)] = [
        ("@timestamp", .object([("type", .string("date"))])),
        ("message", .object([("type", .string("text"))])),
        ("event.original", .object([("type", .string("keyword")), ("index", .bool(false)), ("doc_values", .bool(false))])),
        ("event.severity", long), ("exhunt.event", long), ("exhunt.line", long), ("exhunt.finding.events", long),
    ]
    /// Keyword fields `export findings` sets beside `ECSFields.fixed`.
    static let findingFields = ["rule.id", "rule.name", "vulnerability.id", "exhunt.finding.id", "exhunt.finding.severity",
                                "exhunt.finding.summary", "exhunt.finding.cites"]
    static let long: JSONValue = .object([("type", .string("long"))])
    static let keyword: JSONValue = .object([("type", .string("keyword")), ("ignore_above", .int(ignoreAbove))])

    func run(_ words: [String], in ctx: CommandContext) throws {
        let toStandardOutput = words == [ExportFile.standardOutput]
        guard words.count == 1, toStandardOutput || ExportFile.format(of: words[0], among: ["json"]) != nil else { throw ShellError("usage: \(usage)") }
        let path = (words[0] as NSString).expandingTildeInPath
        let pattern = ctx.args.value("pattern") ?? "exhunt-*"
        if let problem = Self.patternProblem(pattern) {
            throw ShellError("export ecs-template: --pattern '\(TerminalText.escape(pattern))' \(problem); give one index pattern such as exhunt-*")
        }
        let name = Self.templateName(pattern)
        if toStandardOutput { return try writeToStandardOutput(pattern: pattern, name: name, in: ctx) }
        try ctx.session.refuseInsideEvidence(URL(fileURLWithPath: path).standardizedFileURL.path, command: "export ecs-template")
        try OutputPath.check(path, command: "export ecs-template", force: ctx.args.flag("force"))
        let template = Self.template(try ECSMapping.standard(), pattern: pattern)
        do { try Data((template.pretty() + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ShellError("export ecs-template: cannot write \(TerminalText.escape(path)): \(error.localizedDescription)")
        }
        if ctx.wantsJSON { ctx.json(.object([("file", .string(path)), ("pattern", .string(pattern)), ("name", .string(name))])) }
        ctx.status("wrote the index template for \(TerminalText.escape(pattern)) to \(TerminalText.escape(path)); "
                   + "install it before the first bulk request: curl -X PUT -H 'Content-Type: application/json' "
                   + "'http://HOST:9200/_index_template/\(name)' --data-binary @\(TerminalText.escape(Tokenizer.quote(path)))")
    }

    /// `-`: the template on standard output, for `| curl … --data-binary @-`; the summary and the `--json` object
    /// on stderr, as for the other exports to standard output. Refused where they are refused: with `--force`
    /// (nothing to replace), and into loaded evidence (`> EVIDENCE`); a failed write fails the command.
    private func writeToStandardOutput(pattern: String, name: String, in ctx: CommandContext) throws {
        if ctx.args.flag("force") {
            throw ShellError("export ecs-template: --force replaces an existing file, and standard output (-) is none")
        }
        try ExportFile.refuseRedirectIntoEvidence(command: "export ecs-template", in: ctx)
        ctx.output.write(Self.template(try ECSMapping.standard(), pattern: pattern).pretty() + "\n")
        try ExportFile.checkWritten(ctx.output, command: "export ecs-template")
        if ctx.wantsJSON {
            ctx.diagnostic(JSONValue.object([("file", .string("-")), ("pattern", .string(pattern)), ("name", .string(name))]).serialized())
        } else {
            ctx.diagnostic("wrote the index template for \(TerminalText.escape(pattern)) to standard output; install it as "
                           + "'\(name)': curl -X PUT -H 'Content-Type: application/json' 'http://HOST:9200/_index_template/\(name)' --data-binary @-")
        }
    }

    /// Why Elasticsearch would refuse `pattern` or it would reach beyond exhunt's indexes, or nil: index names are
    /// lower case, do not start with `_`, `-` or `+` and hold none of `\ / ? " < > | , #` or spaces (reviewer:
    /// `x/y` and `_x` were written); a pattern of wildcards alone would type every new index of the cluster.
    static func patternProblem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "is empty" }
        if pattern != pattern.lowercased() { return "has capitals, which no index name has" }
        if let c = pattern.first(where: { "\\/?\"<>|,# ".contains($0) }) { return "holds '\(c)', which an index name may not" }
        if let c = pattern.first, "_-+".contains(c) { return "starts with '\(c)', which an index name may not" }
        if pattern.allSatisfy({ $0 == "*" }) { return "matches every index of the cluster" }
        return nil
    }

    /// The template's name for `pattern`: `exhunt` for the default, else the pattern without its wildcards, so a
    /// template for another pattern does not replace the first (reviewer).
    static func templateName(_ pattern: String) -> String {
        if pattern == "exhunt-*" { return "exhunt" }
        let name = pattern.replacingOccurrences(of: "*", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "-_."))
        return name.isEmpty ? "exhunt" : name
    }

    /// The composable index template: every mapped path typed, other strings keywords (event data, values kept
    /// under `exhunt.unmapped`), and no guessing of dates or numbers from text.
    static func template(_ mapping: ECSMapping, pattern: String) -> JSONValue {
        var fields: [(String, JSONValue)] = typed
        func add(_ path: String, _ type: JSONValue) {
            if !fields.contains(where: { $0.0 == path }) { fields.append((path, type)) }
        }
        for row in mapping.rows {
            guard let ecs = row.ecs, !ecs.contains("{field}") else { continue }
            switch row.type {
            case .ip:
                add(ecs, .object([("type", .string("ip"))]))
                // An address with a port gives the port beside it (`ECSMapping`'s `.ip` rule).
                if ecs.hasSuffix(".ip") { add(String(ecs.dropLast(2)) + "port", long) }
            case .long, .port: add(ecs, long)
            case .keyword, .userName, .userDomain, .iisUserAgent: add(ecs, keyword)
            }
        }
        for path in ECSFields.fixed + findingFields { add(path, keyword) }
        let strings: JSONValue = .object([("strings_as_keywords", .object([("match_mapping_type", .string("string")), ("mapping", keyword)]))])
        return .object([
            ("index_patterns", .strings([pattern])),
            ("priority", .int(200)),
            ("_meta", .object([("description", .string("exhunt export events/findings (ECS); made by exhunt export ecs-template"))])),
            ("template", .object([("mappings", .object([
                ("date_detection", .bool(false)), ("numeric_detection", .bool(false)),
                ("dynamic_templates", .array([strings])),
                ("properties", nested(fields)),
            ]))])),
        ])
    }

    /// Dotted paths as the nested `properties` objects a mapping is written in.
    static func nested(_ fields: [(String, JSONValue)]) -> JSONValue {
        var leaves: [(String, JSONValue)] = [], groups: [(String, [(String, JSONValue)])] = []
        for (path, type) in fields {
            guard let dot = path.firstIndex(of: ".") else { leaves.append((path, type)); continue }
            let head = String(path[..<dot]), rest = (String(path[path.index(after: dot)...]), type)
            if let i = groups.firstIndex(where: { $0.0 == head }) { groups[i].1.append(rest) } else { groups.append((head, [rest])) }
        }
        return .object(leaves + groups.map { ($0.0, .object([("properties", nested($0.1))])) })
    }
}

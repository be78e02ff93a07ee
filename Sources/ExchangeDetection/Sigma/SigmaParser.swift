import Yams

/// A rule that was found in a rule file but not loaded, and why (with the line of the problem).
public struct RuleLoadProblem: Sendable, Hashable {
    public let file: String
    public let line: Int?
    public let id: String
    public let title: String
    public let reason: String
    /// True for constructs exhunt does not implement; false for broken rules.
    public let unsupported: Bool
    /// The file the problem is in when that is not `file` (`line` is then that file's): a YARA file that `file`
    /// includes, directly or not.
    public var definedIn: String? = nil
    /// The file `line` counts in: where messages point.
    public var source: String { definedIn ?? file }
}

/// Reads Sigma YAML: one rule per document. Every document ends up either a `SigmaRule` or a
/// `RuleLoadProblem` naming file and line — nothing is dropped silently. A rule without `id:` loads, named
/// after its file, and says so (`SigmaRule.idNote`): two files of one name in different folders would
/// otherwise collide unnoticed; `taken` (the ids already loaded from other files) makes such a name longer.
enum SigmaParser {
    static func parse(_ text: String, file: String, taken: Set<String> = []) -> (rules: [SigmaRule], problems: [RuleLoadProblem]) {
        var rules: [SigmaRule] = []
        var problems: [RuleLoadProblem] = []
        // Each document alone (`SigmaDocuments`): one YAML can not read is one problem, the others still load.
        let texts = SigmaDocuments.split(text)
        var documents: [(index: Int, node: Node)] = []
        for (index, doc) in texts.enumerated() {
            do {
                // The basic resolver: every scalar stays a string (a rule's values are text to compare, and `null` is
                // told apart below), so no scalar goes through Yams's type-guessing regular expressions, which took
                // half the time of loading a rule folder. UTF-8 named, or Yams reads the environment per document.
                if let node = try Yams.compose(yaml: doc.text, .basic, .default, .utf8) { documents.append((index, node)) }
            } catch {
                problems.append(RuleLoadProblem(file: file, line: yamlLine(error) ?? doc.line, id: SigmaDocuments.topLevel("id", in: doc.text),
                                                title: SigmaDocuments.topLevel("title", in: doc.text),
                                                reason: "not valid YAML: \(yamlMessage(error, lastLine: doc.lastLine, lastDocument: index == texts.count - 1))",
                                                unsupported: false))
            }
        }
        for (index, doc) in documents {
            let line = doc.mark?.line ?? 1
            let fields = doc.mapping
            let id = fields?["id"]?.string ?? ""
            let title = fields?["title"]?.string ?? ""
            do {
                rules.append(try rule(doc, file: file, index: index, count: texts.count, taken: taken))
            } catch let p as SigmaProblem {
                problems.append(RuleLoadProblem(file: file, line: p.line ?? line, id: id, title: title, reason: p.reason,
                                                unsupported: p.unsupported))
            } catch {
                problems.append(RuleLoadProblem(file: file, line: line, id: id, title: title, reason: "\(error)", unsupported: false))
            }
        }
        return (rules, problems)
    }

    /// The id of a rule written without one: the file's name without extension (`c`; `c-2` for the second rule
    /// of a file of several), preceded by as many of its folders (`b/c`) as it takes to differ from `taken`.
    static func fileID(_ file: String, index: Int, count: Int, taken: Set<String>) -> String {
        let parts = file.split(separator: "/").map(String.init)
        let base = parts.last ?? file
        let stem = base.split(separator: ".").dropLast().joined(separator: ".")
        let name = (stem.isEmpty ? base : stem) + (count > 1 ? "-\(index + 1)" : "")
        var folders = 0
        var id = name
        while taken.contains(id) && folders + 1 < parts.count {
            folders += 1
            id = (parts.dropLast().suffix(folders) + [name]).joined(separator: "/")
        }
        return id
    }

    static func rule(_ doc: Node, file: String, index: Int, count: Int, taken: Set<String>) throws -> SigmaRule {
        guard let m = doc.mapping else { throw SigmaProblem.broken("a Sigma rule is a YAML mapping", line: doc.mark?.line) }
        if m["correlation"] != nil { throw SigmaProblem.unsupported("correlation rules are not supported", line: m["correlation"]?.mark?.line) }
        if let action = m["action"]?.string {
            throw SigmaProblem.unsupported("rule collections ('action: \(action)') are not supported", line: m["action"]?.mark?.line)
        }
        if m["filter"] != nil { throw SigmaProblem.unsupported("Sigma filters (meta filters) are not supported", line: m["filter"]?.mark?.line) }
        guard let title = m["title"]?.string, !title.isEmpty else { throw SigmaProblem.broken("no 'title'", line: doc.mark?.line) }
        let written = m["id"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let id = written ?? fileID(file, index: index, count: count, taken: taken)
        let plain = fileID(file, index: index, count: count, taken: [])
        let idNote = written != nil ? nil : id == plain
            ? "named sigma:\(id) after the file; two files of one name would collide"
            : "named sigma:\(id) after the file and its folders, as sigma:\(plain) is already loaded from another file"
        guard let ls = m["logsource"]?.mapping else { throw SigmaProblem.broken("no 'logsource' mapping", line: doc.mark?.line) }
        let logsource = SigmaLogSource(category: ls["category"]?.string?.lowercased(), product: ls["product"]?.string?.lowercased(),
                                       service: ls["service"]?.string?.lowercased())
        guard let detNode = m["detection"], let det = detNode.mapping else { throw SigmaProblem.broken("no 'detection' mapping", line: doc.mark?.line) }
        if det["timeframe"] != nil { throw SigmaProblem.unsupported("'timeframe' (aggregation) is not supported", line: det["timeframe"]?.mark?.line) }

        var searches: [String: SigmaSearch] = [:]
        var names: [String] = []
        for (k, v) in det {
            guard let name = k.string else { continue }
            if name == "condition" || name == "timeframe" { continue }
            do {
                searches[name] = SigmaSearch(name: name, alternatives: try alternatives(v, name: name))
                names.append(name)
            } catch var p as SigmaProblem {
                p.line = p.line ?? v.mark?.line ?? k.mark?.line
                throw p
            }
        }
        guard let condNode = det["condition"] else { throw SigmaProblem.broken("detection has no 'condition'", line: detNode.mark?.line) }
        let texts: [String]
        if let list = condNode.sequence { texts = list.compactMap(\.string) } else if let s = condNode.string { texts = [s] } else { texts = [] }
        guard !texts.isEmpty else { throw SigmaProblem.broken("empty 'condition'", line: condNode.mark?.line) }
        let condition: SigmaCondition
        do {
            let parsed = try texts.map { try SigmaCondition.parse($0, names: names) }
            condition = parsed.count == 1 ? parsed[0] : .or(parsed)
        } catch var p as SigmaProblem {
            p.line = condNode.mark?.line
            throw p
        }
        var rule = SigmaRule(id: id, title: title, status: m["status"]?.string ?? "", level: levelWord(m["level"]),
                             description: m["description"]?.string ?? "", references: m["references"]?.sequence?.compactMap(\.string) ?? [],
                             tags: m["tags"]?.sequence?.compactMap(\.string) ?? [], logsource: logsource, searches: searches,
                             condition: condition, file: file, line: doc.mark?.line ?? 1, idNote: idNote)
        rule.levelLine = m["level"]?.mark?.line ?? rule.line
        rule.idLine = written == nil ? nil : keyLine("id", in: m)
        rule.logsourceLine = keyLine("logsource", in: m) ?? rule.line
        rule.readingNote = allOfOneKeywordList(texts, searches).map { (condNode.mark?.line ?? rule.line, $0) }
        return rule
    }

    /// The line of a top-level key: a block value (`logsource:` and its keys below) starts on the next line, and a
    /// problem of the key is reported on the key's own (reviewer: an unmapped log source reported at line 1).
    static func keyLine(_ key: String, in m: Node.Mapping) -> Int? {
        m.first { $0.key.string == key }?.key.mark?.line
    }

    /// `level:` as the rule's level word: YAML null (`~`, `null`, nothing) is no level, as when there is no key; a
    /// list or mapping is kept in flow form (`[high]`), so loading warns of it instead of reading it as none.
    static func levelWord(_ node: Node?) -> String {
        guard let node else { return "" }
        if let s = node.scalar { return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) ? "" : s.string.lowercased() }
        if let list = node.sequence { return "[" + list.map { $0.string ?? "…" }.joined(separator: ", ") + "]" }
        return "{…}"
    }

    /// `all of keywords` where `keywords` is the one search the pattern names and a list of several keyword
    /// values: `all of` joins searches, so any value matches (as pySigma reads it), though an author may have
    /// meant every value (SigmaHQ's current rules write `'|all'` for that). Said at load, not guessed.
    static func allOfOneKeywordList(_ conditions: [String], _ searches: [String: SigmaSearch]) -> String? {
        for text in conditions {
            let words = text.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" }).map(String.init)
            for (i, w) in words.enumerated() where w.lowercased() == "all" && i + 2 < words.count && words[i + 1].lowercased() == "of" {
                let pattern = words[i + 2]
                guard pattern.lowercased() != "them" else { continue }
                let named = searches.keys.filter { name in
                    pattern.hasSuffix("*") ? name.hasPrefix(String(pattern.dropLast())) : name == pattern
                }
                guard named.count == 1, let search = searches[named[0]], search.alternatives.count == 1,
                      let items = search.alternatives.first, items.allSatisfy({ $0.field == nil && !$0.all }),
                      items.reduce(0, { $0 + $1.groups.count }) > 1 else { continue }
                return "condition 'all of \(pattern)' names one keyword list: any of its values matches (as pySigma reads it); "
                    + "'|all' on the list asks for every value"
            }
        }
        return nil
    }

    /// A search: a map (one alternative), a list of maps (any of them), or keywords (a list of values).
    static func alternatives(_ node: Node, name: String) throws -> [[SigmaItem]] {
        if let m = node.mapping { return [try items(m)] }
        if let list = node.sequence {
            if list.isEmpty { throw SigmaProblem.broken("search '\(name)' is empty") }
            if list.allSatisfy({ $0.mapping != nil }) { return try list.map { try items($0.mapping!) } }
            if list.allSatisfy({ $0.scalar != nil }) {
                return [[try SigmaModifiers.item(key: "", values: list.map(value))]]
            }
            throw SigmaProblem.broken("search '\(name)' mixes maps and plain values", line: node.mark?.line)
        }
        if node.scalar != nil { return [[try SigmaModifiers.item(key: "", values: [value(node)])]] }
        throw SigmaProblem.broken("search '\(name)' is neither a map nor a list", line: node.mark?.line)
    }

    static func items(_ m: Node.Mapping) throws -> [SigmaItem] {
        if m.isEmpty { throw SigmaProblem.broken("empty map in a search") }
        return try m.map { k, v in
            guard let key = k.string else { throw SigmaProblem.broken("a field name must be text", line: k.mark?.line) }
            let values: [SigmaValue]
            if let list = v.sequence {
                guard list.allSatisfy({ $0.scalar != nil }) else {
                    throw SigmaProblem.broken("'\(key)': values must be plain values", line: v.mark?.line)
                }
                values = list.map(value)
            } else if v.scalar != nil {
                values = [value(v)]
            } else {
                throw SigmaProblem.broken("'\(key)': a value cannot be a map", line: v.mark?.line)
            }
            do { return try SigmaModifiers.item(key: key, values: values) } catch var p as SigmaProblem {
                p.line = p.line ?? k.mark?.line
                throw p
            }
        }
    }

    /// YAML's null: an unquoted `null`, `Null`, `NULL`, `~` or nothing (`'null'` quoted is the text).
    static func value(_ node: Node) -> SigmaValue {
        if let s = node.scalar, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
        return .text(node.string ?? "")
    }

    /// The line of a YAML error: where the construct it was reading began (an unclosed quote's line, reviewer: the
    /// end of the file was named), else where it failed.
    static func yamlLine(_ error: Error) -> Int? {
        guard let e = error as? YamlError else { return nil }
        switch e {
        case .scanner(let c, _, let mark, _), .parser(let c, _, let mark, _), .composer(let c, _, let mark, _): return c?.mark.line ?? mark.line
        case .duplicatedKeysInMapping(_, let c): return c.mark.line
        default: return nil
        }
    }

    /// The error as libyaml words it, with the line where it failed when that is not the construct's own. libyaml
    /// fails past the document's `lastLine` when it ran out of text (an unclosed `[`): that is said, not a line the
    /// file does not have (reviewer: `(line 9)` of an 8-line file).
    static func yamlMessage(_ error: Error, lastLine: Int, lastDocument: Bool) -> String {
        guard let e = error as? YamlError else { return "\(error)" }
        switch e {
        case .scanner(let c, let p, let mark, _), .parser(let c, let p, let mark, _), .composer(let c, let p, let mark, _):
            guard let c else { return p }
            if c.mark.line == mark.line { return "\(c.text), \(p)" }
            let at = mark.line <= lastLine ? "line \(mark.line)" : lastDocument ? "at the end of the file" : "at the end of the document"
            return "\(c.text), \(p) (\(at))"
        case .duplicatedKeysInMapping(let keys, let c):
            return "key \(keys.sorted().map { "'\($0)'" }.joined(separator: ", ")) repeated in one mapping (column \(c.mark.column))"
        case .reader(let problem, _, _, _): return problem
        default: return "\(e)"
        }
    }
}

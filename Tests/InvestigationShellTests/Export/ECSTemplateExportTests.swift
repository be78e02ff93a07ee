import Foundation
@testable import InvestigationShell
import Testing

/// `export ecs-template`: every field the training set's events and findings are exported with is typed by the
/// template as its values are written, so an index made from it takes every document (no object where the
/// template has a value, no value that does not fit its type), and nothing is left to date or number guessing.
@Suite struct ECSTemplateExportTests {
    /// The template's leaf types by dotted path.
    static func types(_ template: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ properties: [String: Any], _ prefix: String) {
            for (name, node) in properties {
                let node = node as! [String: Any], path = prefix.isEmpty ? name : prefix + "." + name
                if let inner = node["properties"] as? [String: Any] { walk(inner, path) } else { out[path] = node["type"] as? String }
            }
        }
        let mappings = (template["template"] as! [String: Any])["mappings"] as! [String: Any]
        walk(mappings["properties"] as! [String: Any], "")
        return out
    }

    /// An integer as JSON wrote it, a list item by item: 1 and 0 too, which `is Bool` takes for booleans on Linux.
    static func isInteger(_ value: Any) -> Bool {
        if let list = value as? [Any] { return list.allSatisfy(isInteger) }
        guard let n = value as? NSNumber, !(value is String) else { return false }
        return String(cString: n.objCType) != "c" && n.doubleValue == n.doubleValue.rounded()
    }

    @Test func everyExportedFieldFitsTheTemplate() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        let events = dir.appendingPathComponent("e.ndjson"), findings = dir.appendingPathComponent("f.ndjson")
        let file = dir.appendingPathComponent("template.json")
        try t.run("export events '\(events.path)'; export findings '\(findings.path)'")
        #expect(try t.shown("export ecs-template '\(file.path)'").contains("_index_template/exhunt"))
        let template = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        #expect(template["index_patterns"] as? [String] == ["exhunt-*"])
        let mappings = (template["template"] as! [String: Any])["mappings"] as! [String: Any]
        #expect(mappings["date_detection"] as? Bool == false && mappings["numeric_detection"] as? Bool == false)
        let types = Self.types(template)
        #expect(types["source.ip"] == "ip" && types["source.port"] == "long" && types["http.response.status_code"] == "long")
        #expect(types["@timestamp"] == "date" && types["exhunt.finding.events"] == "long")
        var checked = 0
        for url in [events, findings] {
            for (_, doc) in try EventsExportTests.bulk(try String(contentsOf: url, encoding: .utf8)) {
                for (path, value) in EventsExportTests.flatten(doc) {
                    // Every prefix of a path is an object in the template, never a value.
                    let parts = path.split(separator: ".")
                    for k in 1..<parts.count { #expect(types[parts[..<k].joined(separator: ".")] == nil, "\(path) is under a value") }
                    // Typed fields fit their type; the rest are strings, which the template makes keywords.
                    let type = types[path] ?? "keyword"
                    let fits = type == "long" ? Self.isInteger(value) : EventsExportTests.fits(value, type == "text" ? "keyword" : type)
                    #expect(fits, "\(path) = \(value) is not \(type)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000)
        #expect(t.failure("export ecs-template '\(file.path)'").contains("exists"))
        let other = dir.appendingPathComponent("x.json").path
        for (pattern, problem) in [("a,b", "holds ','"), ("x/y", "holds '/'"), ("_x", "starts with '_'"), ("EXHUNT-*", "has capitals"), ("*", "matches every index")] {
            #expect(t.failure("export ecs-template '\(other)' --pattern '\(pattern)'").contains(problem), "\(pattern)")
        }
        #expect(try t.shown("export ecs-template '\(other)' --pattern 'exhunt-ex01-*'").contains("_index_template/exhunt-ex01'"))
    }
}

import Foundation

/// Where SIEM exports of IIS logs keep each W3C field (Sentinel's `W3CIISLog`, Filebeat's ECS `iis.access`),
/// read from the data file `mappings/web-export-fields.tsv`, so a renamed table or a custom pipeline is an edit,
/// not a build. An export record is recognised by its family's `@when` conditions and read back into the IIS
/// line it came from (`WebRecordLine`).
public struct WebExportFields: Sendable {
    public static let file = "mappings/web-export-fields.tsv"

    /// One export: its name, the conditions that recognise its records, and the names of each W3C field.
    struct Family: Sendable {
        let name: String
        /// Each condition: a field name, and the values it must have (empty: present and not empty).
        let when: [(name: String, values: [String])]
        /// W3C field → the export's names for it, first present wins.
        let fields: [(w3c: String, names: [String])]

        func names(_ w3c: String) -> [String] { fields.first { $0.w3c == w3c }?.names ?? [] }

        /// True when a record (its values by export name) is one of this family's requests.
        func recognises(_ value: (String) -> String?) -> Bool {
            let stem = names("cs-uri-stem")
            guard !stem.isEmpty, stem.contains(where: { !(value($0) ?? "").isEmpty }) else { return false }
            return when.allSatisfy { c in
                guard let v = value(c.name), !v.isEmpty else { return false }
                return c.values.isEmpty || c.values.contains(v)
            }
        }
    }

    let families: [Family]
    /// Rows that could not be read, as `FILE:LINE: why`.
    public let problems: [String]

    /// The shipped table (empty when the data folder is missing: such exports are then kept as records).
    public static let shipped: WebExportFields = {
        guard let url = ProgramFolders.resource(file), let text = try? String(contentsOf: url, encoding: .utf8) else {
            return WebExportFields(families: [], problems: ["\(file): not found; SIEM exports of IIS logs are kept as records"])
        }
        return WebExportFields(parsing: text)
    }()

    private init(families: [Family], problems: [String]) {
        self.families = families
        self.problems = problems
    }

    /// Reads the tab-separated table: a `field` header naming the exports, an `@when` row, then a row per W3C field.
    public init(parsing text: String) {
        var problems: [String] = []
        var exports: [String] = []
        var when: [[(String, [String])]] = []
        var fields: [[(String, [String])]] = []
        for (k, line) in text.textLines().enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if exports.isEmpty {
                guard cells.first == "field", cells.count >= 2 else {
                    problems.append("\(Self.file):\(k + 1): expected the header `field` and the exports' names, tab-separated")
                    break
                }
                exports = Array(cells.dropFirst())
                when = Array(repeating: [], count: exports.count)
                fields = Array(repeating: [], count: exports.count)
                continue
            }
            guard cells.count == exports.count + 1, !cells[0].isEmpty else {
                problems.append("\(Self.file):\(k + 1): expected a field and \(exports.count) cells (names joined with |, or -), tab-separated")
                continue
            }
            for (e, cell) in cells.dropFirst().enumerated() where cell != "-" && !cell.isEmpty {
                if cells[0] == "@when" {
                    when[e] = cell.split(separator: " ").map { c in
                        let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
                        return (parts[0], parts.count > 1 ? parts[1].split(separator: "|").map(String.init) : [])
                    }
                } else {
                    fields[e].append((cells[0], cell.split(separator: "|").map(String.init)))
                }
            }
        }
        families = exports.indices.map { e in
            Family(name: exports[e], when: when[e].map { (name: $0.0, values: $0.1) }, fields: fields[e].map { (w3c: $0.0, names: $0.1) })
        }
        self.problems = problems
    }

    /// The export a record is one of, given its values by export name; nil when it is none of them.
    func family(of value: (String) -> String?) -> Family? {
        families.first { $0.recognises(value) }
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// Where exhunt's fields land in the Elastic Common Schema, read from the data file
/// `Resources/mappings/ecs.tsv` of the detection library (users change the mapping there, not in code).
struct ECSMapping {
    enum FieldType: String { case keyword, long, ip }

    struct Row {
        /// Source kind, or nil for every kind.
        let source: String?
        /// An interned field (`:client_ip`), a field name as `show` gives it, or nil for "every other field".
        let interned: InternedField?
        let isQuery: Bool
        let field: String?
        /// Dotted ECS path, `{field}` replaced in wildcard rows; nil leaves the field out.
        let ecs: String?
        let type: FieldType
    }

    let rows: [Row]

    /// The mapping shipped with exhunt.
    static func standard() throws -> ECSMapping {
        let data = try DetectionData.data("mappings/ecs.tsv")
        return try ECSMapping(text: String(decoding: data, as: UTF8.self), name: "mappings/ecs.tsv")
    }

    init(text: String, name: String) throws {
        var rows: [Row] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cols = raw.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cols.count == 4, let type = FieldType(rawValue: cols[3]) else {
                throw ShellError("\(name):\(i + 1): expected 'source<TAB>field<TAB>ecs<TAB>keyword|long|ip'")
            }
            var interned: InternedField?, isQuery = false
            if cols[1].hasPrefix(":") {
                let n = String(cols[1].dropFirst())
                if n == "url_query" { isQuery = true } else {
                    guard let f = InternedField.allCases.first(where: { $0.name == n }) else {
                        throw ShellError("\(name):\(i + 1): unknown field \(cols[1])")
                    }
                    interned = f
                }
            }
            rows.append(Row(source: cols[0] == "*" ? nil : cols[0], interned: interned, isQuery: isQuery,
                            field: cols[1].hasPrefix(":") || cols[1] == "*" ? nil : cols[1].lowercased(),
                            ecs: cols[2] == "-" ? nil : cols[2], type: type))
        }
        self.rows = rows
        makePlans()
        try Self.checkPaths(rows.compactMap(\.ecs) + ["exhunt.unmapped.{field}"], name: name)
    }

    /// A field name as one ECS path component: dots would nest it, so they become underscores.
    static func key(_ name: String) -> String { name.replacingOccurrences(of: ".", with: "_") }

    /// Refuses a mapping where one path would be both a value and an object (`a.b` beside `a.b.c`), which
    /// no Elasticsearch mapping accepts.
    static func checkPaths(_ paths: [String], name: String) throws {
        let all = Set(paths + ECSFields.fixed)
        for p in all {
            let prefix = p.hasSuffix(".{field}") ? String(p.dropLast(8)) : p
            for q in all where q != p && q.hasPrefix(prefix + ".") {
                if p.hasSuffix(".{field}") {
                    // A wildcard may share its parent with fixed names one level down, not deeper.
                    if q.dropFirst(prefix.count + 1).contains(".") { throw conflict(p, q, name) }
                } else {
                    throw conflict(p, q, name)
                }
            }
        }
    }

    private static func conflict(_ p: String, _ q: String, _ name: String) -> ShellError {
        ShellError("\(name): '\(p)' and '\(q)' would make one field both a value and an object")
    }

    /// The rows that apply to one source kind, grouped as the per-event pass uses them.
    struct Plan {
        var direct: [Row] = []
        /// Rows naming a field, by the field's lower-case name.
        var named: [String: [Row]] = [:]
        var wildcard: [Row] = []
        /// Whether any row needs the event's fields split from its line (costly for wide logs).
        var needsFields: Bool { !named.isEmpty || !wildcard.isEmpty }
    }

    /// Plans per source kind named in the mapping; `defaultPlan` for every other kind.
    private(set) var plans: [String: Plan] = [:]
    private(set) var defaultPlan = Plan()

    private mutating func makePlans() {
        func plan(_ kind: String?) -> Plan {
            var p = Plan()
            for row in rows where row.source == nil || row.source == kind {
                if row.interned != nil || row.isQuery { p.direct.append(row) }
                else if let name = row.field { p.named[name, default: []].append(row) }
                else if row.source != nil { p.wildcard.append(row) }
            }
            return p
        }
        defaultPlan = plan(nil)
        for kind in Set(rows.compactMap(\.source)) { plans[kind] = plan(kind) }
    }

    /// The ECS fields of one event, as (dotted path, value) in mapping order. Values that do not fit their
    /// type go to `exhunt.unmapped.<field>` as strings.
    func fields(of e: EventID, in store: EventStore) -> [(String, JSONValue)] {
        let plan = plans[store.kind(of: e).rawValue] ?? defaultPlan
        var out: [(String, JSONValue)] = []
        func add(_ row: Row, name: String, _ value: String) {
            guard !value.isEmpty, value != "-", let path = row.ecs else { return }
            let key = Self.key(name)
            let target = row.source != nil && row.field == nil ? path.replacingOccurrences(of: "{field}", with: key) : path
            if let typed = Self.typed(value, row.type) { out.append((target, typed)) } else {
                out.append(("exhunt.unmapped." + key, .string(value)))
            }
        }
        for row in plan.direct {
            if let f = row.interned { add(row, name: f.name, store.value(f, e)) } else { add(row, name: "url_query", store.urlQuery(of: e)) }
        }
        guard plan.needsFields else { return out }
        for f in store.fields(of: e) {
            if let rows = plan.named[f.name.lowercased()] {
                for row in rows { add(row, name: f.name, f.value) }
            } else {
                for row in plan.wildcard { add(row, name: f.name, f.value) }
            }
        }
        return out
    }

    static func typed(_ value: String, _ type: FieldType) -> JSONValue? {
        switch type {
        case .keyword: return .string(value)
        case .long: return Int(value).map { .int($0) }
        case .ip: return isIP(value) ? .string(value) : nil
        }
    }

    /// True for an address Elasticsearch's `ip` type accepts (IPv4 dotted quad or IPv6), without a port.
    static func isIP(_ s: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }
}

/// Turns dotted (path, value) pairs into nested JSON objects (`source.ip` → `{"source":{"ip":…}}`), the
/// shape ECS documents have in Elasticsearch, keeping first-seen order. A repeated path becomes a list.
/// `ECSMapping` guarantees that no path is both a value and an object.
enum ECSDocument {
    static func nest(_ pairs: [(String, JSONValue)]) -> JSONValue {
        var root: [(String, JSONValue)] = []
        for (path, value) in pairs { insert(path.split(separator: ".").map(String.init)[...], value, into: &root) }
        return .object(root)
    }

    private static func insert(_ path: ArraySlice<String>, _ value: JSONValue, into object: inout [(String, JSONValue)]) {
        guard let key = path.first else { return }
        let rest = path.dropFirst()
        let i = object.firstIndex { $0.0 == key }
        if rest.isEmpty {
            guard let i else { object.append((key, value)); return }
            if case .array(let items) = object[i].1 { object[i].1 = .array(items + [value]) } else {
                object[i].1 = .array([object[i].1, value])
            }
            return
        }
        guard let i else {
            var child: [(String, JSONValue)] = []
            insert(rest, value, into: &child)
            object.append((key, .object(child)))
            return
        }
        guard case .object(var child) = object[i].1 else { return }
        insert(rest, value, into: &child)
        object[i].1 = .object(child)
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// Where exhunt's fields land in the Elastic Common Schema, read from the data file
/// `Resources/mappings/ecs.tsv` of the detection library (users change the mapping there, not in code).
struct ECSMapping {
    /// How a value is written: as text, a number or an address (a value that does not fit goes under
    /// `exhunt.unmapped`); `user-name`/`user-domain` split an account (`CONTOSO\\user`, `user@contoso.com`) as
    /// ECS wants it, `user-domain` leaving the field out when the account names no domain; `iis-user-agent`
    /// reads IIS's `+` as the space the client sent (IIS writes spaces in the user agent as `+`).
    enum FieldType: String { case keyword, long, ip, userName = "user-name", userDomain = "user-domain", iisUserAgent = "iis-user-agent" }

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
        /// `ecs` split at its dots, once (nil for wildcard rows, whose path depends on the field).
        let components: [String]?
    }

    let rows: [Row]

    /// The mapping shipped with exhunt.
    static func standard() throws -> ECSMapping {
        let data = try DetectionData.data("mappings/ecs.tsv")
        return try ECSMapping(text: String(decoding: data, as: UTF8.self), name: "mappings/ecs.tsv")
    }

    init(text: String, name: String) throws {
        var rows: [Row] = []
        for (i, raw) in text.textLines().enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cols = raw.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cols.count == 4, let type = FieldType(rawValue: cols[3]) else {
                throw ShellError("\(name):\(i + 1): expected 'source<TAB>field<TAB>ecs<TAB>TYPE', TYPE one of "
                                 + "keyword, long, ip, user-name, user-domain, iis-user-agent")
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
                            ecs: cols[2] == "-" ? nil : cols[2], type: type,
                            components: cols[2] == "-" || cols[2].contains("{field}") ? nil : cols[2].split(separator: ".").map(String.init)))
        }
        self.rows = rows
        makePlans()
        try Self.checkPaths(rows.compactMap(\.ecs) + ["exhunt.unmapped.{field}"], name: name)
    }

    /// A field name as one ECS path component: dots would nest it, so they become underscores.
    static func key(_ name: String) -> String { name.utf8.contains(0x2E) ? name.replacingOccurrences(of: ".", with: "_") : name }

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
            // A source's own row for a field every reader maps replaces the `*` rows for it (a file listing's
            // url_stem is a file path, not url.path).
            let own = Set(rows.filter { $0.source != nil && $0.source == kind }.compactMap { r in r.isQuery ? "?query" : r.interned?.name })
            for row in rows where row.source == nil || row.source == kind {
                if row.source == nil, let name = row.isQuery ? "?query" : row.interned?.name, own.contains(name) { continue }
                if row.interned != nil || row.isQuery { p.direct.append(row) }
                else if let name = row.field { p.named[name, default: []].append(row) }
                else if row.source != nil { p.wildcard.append(row) }
            }
            return p
        }
        defaultPlan = plan(nil)
        for kind in Set(rows.compactMap(\.source)) { plans[kind] = plan(kind) }
    }

    /// The ECS fields of one event, appended to `out` in mapping order. Values that do not fit their type go
    /// to `exhunt.unmapped.<field>` as strings.
    func fields(of e: EventID, kind: SourceKind, in store: EventStore, into out: inout [ECSPair]) {
        let plan = plans[kind.rawValue] ?? defaultPlan
        func add(_ row: Row, name: String, _ value: String) {
            guard !value.isEmpty, value != "-", let path = row.ecs else { return }
            if let typed = Self.typed(value, row.type) {
                let components = row.components ?? path.replacingOccurrences(of: "{field}", with: Self.key(name)).split(separator: ".").map(String.init)
                out.append(ECSPair(components, .json(typed)))
            } else if row.type != .userDomain {        // an account without a domain has none to write
                let key = Self.key(name)
                out.append(ECSPair(["exhunt", "unmapped", key], .json(.string(value))))
            }
        }
        for row in plan.direct {
            if let f = row.interned { add(row, name: f.name, store.value(f, e)); continue }
            // ECS's url.query is the query without its `?`, which HttpProxy's UrlQuery keeps and IIS does not write.
            let query = store.urlQuery(of: e)
            add(row, name: "url_query", query.hasPrefix("?") ? String(query.dropFirst()) : query)
        }
        guard plan.needsFields else { return }
        for f in store.fields(of: e) {
            if let rows = plan.named[f.name.lowercased()] {
                for row in rows { add(row, name: f.name, f.value) }
            } else {
                for row in plan.wildcard { add(row, name: f.name, f.value) }
            }
        }
    }

    static func typed(_ value: String, _ type: FieldType) -> JSONValue? {
        switch type {
        case .keyword: return .string(value)
        case .long: return Int(value).map { .int($0) }
        case .ip: return isIP(value) ? .string(value) : nil
        case .userName: return .string(account(value).name)
        case .userDomain: return account(value).domain.map { .string($0) }
        case .iisUserAgent:
            guard value.utf8.contains(UInt8(ascii: "+")) else { return .string(value) }
            return .string(String(decoding: value.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self))
        }
    }

    /// An account's name and domain: `DOMAIN\\name` and `name@domain` split, anything else a name alone.
    /// Found on the UTF-8 bytes (both separators are ASCII): this runs for every event an export writes.
    static func account(_ value: String) -> (name: String, domain: String?) {
        let u = value.utf8
        if let slash = u.firstIndex(of: UInt8(ascii: "\\")), slash != u.startIndex, u.index(after: slash) != u.endIndex {
            return (String(value[u.index(after: slash)...]), String(value[..<slash]))
        }
        if let at = u.lastIndex(of: UInt8(ascii: "@")), at != u.startIndex, u.index(after: at) != u.endIndex {
            return (String(value[..<at]), String(value[u.index(after: at)...]))
        }
        return (value, nil)
    }

    /// True for an address Elasticsearch's `ip` type accepts (IPv4 dotted quad or IPv6), without a port.
    static func isIP(_ s: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }
}

/// One field of an ECS document: its dotted path split once, and its value.
struct ECSPair {
    enum Value {
        case json(JSONValue)
        /// UTF-8 text written as a JSON string (messages built as bytes).
        case utf8([UInt8])
        /// A time as ECS `@timestamp` writes it (`2021-03-03T06:49:42.162Z`).
        case time(Int64)

        /// The same value written the same way.
        func same(as other: Value) -> Bool {
            switch (self, other) {
            case (.json(let a), .json(let b)): a == b
            case (.utf8(let a), .utf8(let b)): a == b
            case (.time(let a), .time(let b)): a == b
            default: false
            }
        }
    }

    let path: [String]
    let value: Value

    init(_ path: [String], _ value: Value) {
        self.path = path
        self.value = value
    }

    init(_ dotted: String, _ value: JSONValue) {
        self.init(dotted.split(separator: ".").map(String.init), .json(value))
    }
}

/// Writes dotted fields as nested JSON objects (`source.ip` → `{"source":{"ip":…}}`), the shape ECS documents
/// have in Elasticsearch, straight into bytes: keys in first-seen order, a repeated path as a list.
/// `ECSMapping` guarantees that no path is both a value and an object (were one, the first seen wins: a value
/// first drops the object, an object first is followed by the values in a list).
///
/// The document's paths are merged into a tree held in stack memory (one node per path component, children
/// and values as linked lists in first-seen order), then written depth first: an export of millions of
/// documents allocates nothing per document here.
enum ECSDocument {
    static func write(_ pairs: [ECSPair], into out: inout ExportBytes) {
        let capacity = pairs.reduce(1) { $0 + $1.path.count }
        withUnsafeTemporaryAllocation(of: Node.self, capacity: capacity) { nodes in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: pairs.count) { nextValue in
                pairs.withUnsafeBufferPointer { p in
                    var tree = Tree(pairs: p, nodes: nodes, nextValue: nextValue)
                    for i in p.indices { tree.add(Int32(i)) }
                    tree.writeObject(0, into: &out)
                }
            }
        }
    }

    /// The document as one line of JSON (findings and tests, where a String is handy).
    static func serialized(_ pairs: [(String, JSONValue)]) -> String {
        var out = ExportBytes()
        write(pairs.map { ECSPair($0.0, $0.1) }, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// One path component of the document: component `depth - 1` of pair `keyPair`'s path is its key.
    /// Links are node or pair indexes, -1 ending a list.
    private struct Node {
        var keyPair: Int32
        var depth: Int32
        var firstChild: Int32 = -1, lastChild: Int32 = -1, nextSibling: Int32 = -1
        var firstValue: Int32 = -1, lastValue: Int32 = -1
        /// The first pair reaching this key ended here (a value, not an object).
        var leafFirst = false
    }

    private struct Tree {
        let pairs: UnsafeBufferPointer<ECSPair>
        let nodes: UnsafeMutableBufferPointer<Node>
        /// Per pair: the next value of the same path (-1: none).
        let nextValue: UnsafeMutableBufferPointer<Int32>
        var count = 1

        init(pairs: UnsafeBufferPointer<ECSPair>, nodes: UnsafeMutableBufferPointer<Node>, nextValue: UnsafeMutableBufferPointer<Int32>) {
            self.pairs = pairs
            self.nodes = nodes
            self.nextValue = nextValue
            nodes.initializeElement(at: 0, to: Node(keyPair: -1, depth: 0))
        }

        /// Merges pair `i`'s path into the tree and appends its value to the last node's values, unless that
        /// node already holds the same value (two rows mapping one value to one field write it once).
        mutating func add(_ i: Int32) {
            let path = pairs[Int(i)].path
            var node: Int32 = 0
            for d in path.indices {
                var child = nodes[Int(node)].firstChild
                while child >= 0 && pairs[Int(nodes[Int(child)].keyPair)].path[d] != path[d] { child = nodes[Int(child)].nextSibling }
                if child < 0 {
                    child = Int32(count)
                    nodes.initializeElement(at: count, to: Node(keyPair: i, depth: Int32(d + 1), leafFirst: d == path.count - 1))
                    count += 1
                    if nodes[Int(node)].lastChild >= 0 { nodes[Int(nodes[Int(node)].lastChild)].nextSibling = child }
                    else { nodes[Int(node)].firstChild = child }
                    nodes[Int(node)].lastChild = child
                }
                node = child
            }
            var v = nodes[Int(node)].firstValue
            while v >= 0 {
                if pairs[Int(v)].value.same(as: pairs[Int(i)].value) { return }
                v = nextValue[Int(v)]
            }
            nextValue[Int(i)] = -1
            if nodes[Int(node)].lastValue >= 0 { nextValue[Int(nodes[Int(node)].lastValue)] = i } else { nodes[Int(node)].firstValue = i }
            nodes[Int(node)].lastValue = i
        }

        func writeObject(_ node: Int32, into out: inout ExportBytes) {
            out.append("{")
            var child = nodes[Int(node)].firstChild
            var first = true
            while child >= 0 {
                let c = nodes[Int(child)]
                if !first { out.append(",") }
                first = false
                out.appendJSON(pairs[Int(c.keyPair)].path[Int(c.depth) - 1])
                out.append(":")
                var values = 0
                var v = c.firstValue
                while v >= 0 { values += 1; v = nextValue[Int(v)] }
                let parts = (c.leafFirst ? 0 : 1) + values
                if parts > 1 { out.append("[") }
                if !c.leafFirst { writeObject(child, into: &out) }
                v = c.firstValue
                var k = 0
                while v >= 0 {
                    if k > 0 || !c.leafFirst { out.append(",") }
                    ECSDocument.writeValue(pairs[Int(v)].value, into: &out)
                    k += 1
                    v = nextValue[Int(v)]
                }
                if parts > 1 { out.append("]") }
                child = c.nextSibling
            }
            out.append("}")
        }
    }

    fileprivate static func writeValue(_ value: ECSPair.Value, into out: inout ExportBytes) {
        switch value {
        case .json(let v): out.appendJSON(v)
        case .utf8(let bytes): bytes.withUnsafeBytes { out.appendJSON($0) }
        case .time(let ms):
            out.append("\"")
            out.appendISO(ms, zulu: true)
            out.append("\"")
        }
    }
}

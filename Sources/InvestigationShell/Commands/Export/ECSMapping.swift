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
    enum FieldType: String { case keyword, long, port, ip, userName = "user-name", userDomain = "user-domain", iisUserAgent = "iis-user-agent" }

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
        /// `ecs` as key ids (nil for rows that leave the field out, and for wildcard rows, whose path depends on
        /// the field).
        var path: ECSPath?
    }

    let rows: [Row]
    /// Every key of the fixed fields' and the rows' paths (`ECSDocument` merges fields by these ids).
    private(set) var keys = ECSKeys()

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
                                 + "keyword, long, port, ip, user-name, user-domain, iis-user-agent")
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
        try Self.checkPaths(rows.compactMap(\.ecs) + ["exhunt.unmapped.{field}"], name: name)
        // Keys: every component of a fixed field's or a row's path, a wildcard's beside its `{field}`, and the
        // name each field every reader maps is kept under when its value does not fit its type.
        let dotted = ECSFields.fixed + rows.compactMap(\.ecs) + InternedField.allCases.map { "exhunt.unmapped." + Self.key($0.name) }
            + ["exhunt.unmapped.url_query", "port"]
        let keys = ECSKeys(dotted.flatMap { $0.split(separator: ".").map(String.init) }.filter { !$0.contains("{field}") })
        self.keys = keys
        self.rows = rows.map { row in
            var r = row
            if let ecs = row.ecs, !ecs.contains("{field}") { r.path = keys.path(ecs) }
            return r
        }
        makePlans()
    }

    /// A wildcard row's dotted path for field `name` (`winlog.event_data.{field}` → `winlog.event_data.IpPort`).
    static func dotted(_ ecs: String, field name: String) -> String { ecs.replacingOccurrences(of: "{field}", with: key(name)) }

    /// A field name as one ECS path component: dots would nest it, so they become underscores.
    static func key(_ name: String) -> String { name.utf8.contains(0x2E) ? name.replacingOccurrences(of: ".", with: "_") : name }

    /// Refuses a mapping where one path would be both a value and an object (`a.b` beside `a.b.c`), which
    /// no Elasticsearch mapping accepts.
    static func checkPaths(_ paths: [String], name: String) throws {
        let all = Set(paths + ECSFields.fixed)
        if let deep = all.first(where: { $0.split(separator: ".").count > ECSPath.maxDepth }) {
            throw ShellError("\(name): '\(deep)' is deeper than \(ECSPath.maxDepth) levels")
        }
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

    /// A row for a field every reader maps, read per event from the store's columns: no Strings.
    struct Direct {
        /// The interned field, or nil for the URL query.
        let field: InternedField?
        let type: FieldType
        /// Where the value goes, nil to leave it out; and where it goes when it does not fit `type`.
        let path: ECSPath?
        let unmapped: ECSPath
    }

    /// The rows that apply to one source kind, grouped as the per-event pass uses them.
    struct Plan {
        var direct: [Direct] = []
        /// Rows naming a field, by the field's lower-case name.
        var named: [String: [Row]] = [:]
        var wildcard: [Row] = []
        /// Whether any row needs the event's fields split from its line (costly for wide logs).
        var needsFields: Bool { !named.isEmpty || !wildcard.isEmpty }
    }

    /// The plans: the first for every kind the mapping does not name, then one per kind it names.
    private(set) var plans: [Plan] = []
    private var planIndex: [String: Int] = [:]

    /// The plan for a source kind, as an index into `plans` (taken once per file by an export).
    func plan(for kind: SourceKind) -> Int { planIndex[kind.rawValue] ?? 0 }

    private mutating func makePlans() {
        func direct(_ row: Row) -> Direct {
            let name = row.interned?.name ?? "url_query"
            // A wildcard path's `{field}` is the field's name, known here for the fields every reader maps.
            let path = row.path ?? row.ecs.map { keys.path(Self.dotted($0, field: name)) }
            return Direct(field: row.interned, type: row.type, path: path, unmapped: keys.path("exhunt.unmapped." + Self.key(name)))
        }
        func plan(_ kind: String?) -> Plan {
            var p = Plan()
            // A source's own row for a field every reader maps replaces the `*` rows for it (a file listing's
            // url_stem is a file path, not url.path).
            let own = Set(rows.filter { $0.source != nil && $0.source == kind }.compactMap { r in r.isQuery ? "?query" : r.interned?.name })
            for row in rows where row.source == nil || row.source == kind {
                if row.source == nil, let name = row.isQuery ? "?query" : row.interned?.name, own.contains(name) { continue }
                if row.interned != nil || row.isQuery { p.direct.append(direct(row)) }
                else if let name = row.field { p.named[name, default: []].append(row) }
                else if row.source != nil { p.wildcard.append(row) }
            }
            return p
        }
        plans = [plan(nil)]
        for kind in Set(rows.compactMap(\.source)).sorted() {
            planIndex[kind] = plans.count
            plans.append(plan(kind))
        }
    }

    /// Adds the ECS fields of event `e` to `document` in mapping order, by plan `plan` (`plan(for:)`). Values
    /// that do not fit their type go to `exhunt.unmapped.<field>` as strings.
    func fields(of e: EventID, plan: Int, from columns: ECSColumns, into document: ECSDocument) {
        for row in plans[plan].direct {
            guard let path = row.path else { continue }
            guard let field = row.field else {
                // ECS's url.query is the query without its `?`. HttpProxy's UrlQuery starts with it; IIS writes the
                // query without it, so a `?` there is the client's own (`/owa/??x=1`) and stays.
                columns.store.withURLQuery(e) { query in
                    add(URLQueryReader.withoutLogsMark(query, w3c: columns.isW3C(e)), row.type, path, to: document) { row.unmapped }
                }
                continue
            }
            let id = columns.values[field.rawValue][e]
            if id != 0 { columns.pool.withBytes(id) { add($0, row.type, path, to: document) { row.unmapped } } }
        }
        guard plans[plan].needsFields else { return }
        for f in columns.store.fields(of: e) where !f.value.isEmpty {
            let rows = plans[plan].named[f.name.lowercased()] ?? plans[plan].wildcard
            for row in rows {
                guard let ecs = row.ecs else { continue }
                let path = row.path ?? document.path(Self.dotted(ecs, field: f.name).split(separator: ".").map(String.init), keys: keys)
                var value = f.value
                value.withUTF8 { v in
                    // An event's own `-` is a value where winlogbeat keeps it (`winlog.event_data.SubjectUserName: -`);
                    // in an ECS field it names nothing (reviewer: `destination.domain: "-"`), and it fits no other type.
                    add(UnsafeRawBufferPointer(v), row.type, path, keepsDash: row.type == .keyword && ecs.hasPrefix("winlog."), to: document) {
                        document.path(["exhunt", "unmapped", Self.key(f.name)], keys: keys)
                    }
                }
            }
        }
    }

    /// Adds `value` at `path` as `type` has it, or as a string at `unmapped` (asked only then: a field's own name is
    /// spelled in the document) when it does not fit; nothing for an empty value or (unless `keepsDash`) a log's `-`
    /// for empty, nor for an account without a domain. An address with a port (`203.0.113.5:51234`,
    /// `[2001:db8::1]:443`) gives the address at `path` and the port beside it (`source.ip` → `source.port`).
    private func add(_ value: UnsafeRawBufferPointer, _ type: FieldType, _ path: ECSPath, keepsDash: Bool = false,
                     to document: ECSDocument, unmapped: () -> ECSPath) {
        guard !value.isEmpty, keepsDash || !(value.count == 1 && value[0] == UInt8(ascii: "-")) else { return }
        func asString() { document.add(unmapped()) { $0.appendJSON(value) } }
        switch type {
        case .keyword:
            document.add(path) { $0.appendJSON(value) }
        case .long:
            guard let n = Int(String(decoding: value, as: UTF8.self)) else { return asString() }
            document.add(path) { $0.append(int: n) }
        case .port:
            // A port is 0–65535 (reviewer: a Sysmon SourcePort of -1 or 99999 was written as one).
            guard let n = Int(String(decoding: value, as: UTF8.self)), (0...65535).contains(n) else { return asString() }
            document.add(path) { $0.append(int: n) }
        case .ip:
            if let address = Self.address(value) { return document.add(path) { $0.appendJSON(address) } }
            guard let (address, port) = Self.addressAndPort(value), let portPath = portPath(beside: path) else { return asString() }
            document.add(path) { $0.appendJSON(address) }
            document.add(portPath) { $0.append(int: port) }
        case .userName:
            let name = Self.account(value).name
            document.add(path) { $0.appendJSON(name) }
        case .userDomain:
            guard let domain = Self.account(value).domain else { return }
            document.add(path) { $0.appendJSON(domain) }
        case .iisUserAgent:
            guard value.contains(UInt8(ascii: "+")) else { return document.add(path) { $0.appendJSON(value) } }
            let spaced = value.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }
            document.add(path) { out in spaced.withUnsafeBytes { out.appendJSON($0) } }
        }
    }

    /// The path of the port beside an address's path (`source.ip` → `source.port`); nil when the path does not end
    /// in `ip`.
    private func portPath(beside path: ECSPath) -> ECSPath? {
        guard path.depth > 0, path.components[path.depth - 1] == keys.id("ip"), let port = keys.id("port") else { return nil }
        var p = path
        p.components[p.depth - 1] = port
        return p
    }

    /// `ADDRESS:PORT` with an IPv4 address, or `[ADDRESS]:PORT` with an IPv6 one; the port 0–65535.
    static func addressAndPort(_ value: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Int)? {
        guard let colon = value.lastIndex(of: UInt8(ascii: ":")), colon + 1 < value.count, value.count - colon <= 6,
              value[(colon + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = Int(String(decoding: value[(colon + 1)...], as: UTF8.self)), port <= 65535 else { return nil }
        let address = UnsafeRawBufferPointer(rebasing: value[..<colon])
        // A bare IPv6 address's last group is no port; a bracketed one is `address`'s to read.
        if address.first != UInt8(ascii: "[") && address.contains(UInt8(ascii: ":")) { return nil }
        return Self.address(address).map { ($0, port) }
    }

    /// The address `ip` takes from `value`: the value when it is one, or an IPv6 address without its zone
    /// (`fe80::1%12`, as Windows writes a link-local logon's `IpAddress`), which Elasticsearch's `ip` type refuses,
    /// or without the brackets a URL puts around it (`[fe80::1%12]`). The value as written stays where the source's
    /// own field is kept (`winlog.event_data.IpAddress`).
    static func address(_ written: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var value = written
        if value.count > 2, value.first == UInt8(ascii: "["), value.last == UInt8(ascii: "]") {
            value = UnsafeRawBufferPointer(rebasing: value.dropFirst().dropLast())
            guard value.contains(UInt8(ascii: ":")) else { return nil }
        }
        if isIP(value) { return value }
        guard let percent = value.firstIndex(of: UInt8(ascii: "%")), percent + 1 < value.count,
              value[(percent + 1)...].allSatisfy({ $0 < 0x80 && (isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: "_")) }) else { return nil }
        let address = UnsafeRawBufferPointer(rebasing: value[..<percent])
        return address.contains(UInt8(ascii: ":")) && isIP(address) ? address : nil
    }

    /// An account's name and domain: `DOMAIN\\name` and `name@domain` split, anything else a name alone.
    static func account(_ value: String) -> (name: String, domain: String?) {
        var v = value
        return v.withUTF8 { u in
            let (name, domain) = account(UnsafeRawBufferPointer(u))
            return (String(decoding: name, as: UTF8.self), domain.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// `account` on bytes (both separators are ASCII): this runs for every event an export writes.
    static func account(_ u: UnsafeRawBufferPointer) -> (name: UnsafeRawBufferPointer, domain: UnsafeRawBufferPointer?) {
        if let slash = u.firstIndex(of: UInt8(ascii: "\\")), slash != 0, slash + 1 != u.count {
            return (UnsafeRawBufferPointer(rebasing: u[(slash + 1)...]), UnsafeRawBufferPointer(rebasing: u[..<slash]))
        }
        if let at = u.lastIndex(of: UInt8(ascii: "@")), at != 0, at + 1 != u.count {
            return (UnsafeRawBufferPointer(rebasing: u[..<at]), UnsafeRawBufferPointer(rebasing: u[(at + 1)...]))
        }
        return (u, nil)
    }

    /// True for an address Elasticsearch's `ip` type accepts (IPv4 dotted quad or IPv6), without a port.
    static func isIP(_ s: String) -> Bool {
        var v = s
        return v.withUTF8 { isIP(UnsafeRawBufferPointer($0)) }
    }

    /// `isIP` on bytes. A NUL inside makes it no address (the C parser would stop there and accept the part before).
    static func isIP(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count < 64, !value.contains(0) else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            for (i, b) in value.enumerated() { text[i] = CChar(bitPattern: b) }
            text[value.count] = 0
            var v4 = in_addr(), v6 = in6_addr()
            return inet_pton(AF_INET, text.baseAddress, &v4) == 1 || inet_pton(AF_INET6, text.baseAddress, &v6) == 1
        }
    }
}

/// What `ECSMapping.fields` reads an event's values from, taken from the store once per export: read through
/// the store, each value cost a retain, a release and an exclusivity check of its column.
struct ECSColumns: @unchecked Sendable {
    let store: EventStore
    let values: [[UInt32]]
    let pool: ValuePool
    private let schema: [UInt16]
    private let w3c: [Bool]

    init(_ store: EventStore) {
        self.store = store
        values = store.values
        pool = store.pool
        schema = store.schema
        w3c = store.schemas.map { $0.format == .w3c }
    }

    /// Whether event `e`'s line is W3C (IIS): its query is written without the `?`.
    func isW3C(_ e: EventID) -> Bool { w3c[Int(schema[e])] }
}

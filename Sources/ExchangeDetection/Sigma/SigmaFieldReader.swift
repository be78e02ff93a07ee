import ExchangeEvidence

/// Reads named fields of stored events through the store's public accessors: one split of an event-log
/// line gives every field, and W3C/CSV lines are cut at the needed columns only (positions cached per schema).
///
/// Empty W3C (`-`) and CSV values read as absent (nil). `@keywords` is the whole event: the values of an
/// event-log record joined by line breaks (so escapes in the stored line do not matter), the raw line otherwise.
final class SigmaFieldReader {
    static let keywords = "@keywords"

    private let store: EventStore
    /// Lower-cased evidence field names, in the order `read` returns them.
    let names: [String]
    private var columnsBySchema: [UInt16: [Int?]] = [:]

    init(store: EventStore, names: [String]) {
        self.store = store
        self.names = names.map { $0.lowercased() }
    }

    /// The values of `names` for one event.
    func read(_ id: EventID) -> [String?] {
        let sid = store.schema[id]
        let schema = store.schemas[Int(sid)]
        switch schema.format {
        case .keyValue, .plain:
            return fromPairs(store.fields(of: id), id: id)
        case .csv, .w3c:
            let columns = columnsBySchema[sid] ?? {
                let c = names.map { schema.column($0) }
                columnsBySchema[sid] = c
                return c
            }()
            let w3c = schema.format == .w3c
            return store.withRawLine(id) { line in
                names.indices.map { i -> String? in
                    if names[i] == Self.keywords { return String(decoding: line, as: UTF8.self) }
                    guard let c = columns[i], let v = schema.value(at: c, of: line) else { return nil }
                    if v.isEmpty || (w3c && v == "-") { return nil }
                    return v
                }
            }
        }
    }

    private func fromPairs(_ pairs: [(name: String, value: String)], id: EventID) -> [String?] {
        var out = [String?](repeating: nil, count: names.count)
        var wanted: [String: Int] = [:]
        for (i, n) in names.enumerated() { wanted[n] = i }
        for p in pairs {
            if let i = wanted[p.name.lowercased()], out[i] == nil { out[i] = p.value }
        }
        if let k = wanted[Self.keywords] { out[k] = pairs.map(\.value).joined(separator: "\n") }
        return out
    }
}

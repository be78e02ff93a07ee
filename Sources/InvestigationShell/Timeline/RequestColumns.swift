import ExchangeEvidence

/// The columns a request's message is built from (`METHOD STEM?QUERY STATUS from IP "AGENT" user … anchor …`),
/// taken from the store once. Exports build a message for every one of millions of events: read through the
/// store, each value cost a retain, a release and an exclusivity check of the store's column; read from this
/// snapshot it is an array load.
struct RequestColumns: @unchecked Sendable {
    private let columns: [[UInt32]]
    private let pool: ValuePool
    private let store: EventStore
    /// Per schema: W3C lines (IIS), whose query has no `?` of the log's own (`URLQueryReader.withoutLogsMark`).
    private let w3c: [Bool]
    /// In message order, with the text written before each value.
    private static let parts: [(field: InternedField, prefix: StaticString, quoted: Bool)] = [
        (.method, "", false), (.urlStem, " ", false), (.status, " ", false), (.clientIP, " from ", false),
        (.userAgent, " ", true), (.user, " user ", false), (.anchorMailbox, " anchor ", false),
    ]

    init(_ store: EventStore) {
        self.store = store
        columns = Self.parts.map { store.values[$0.field.rawValue] }
        pool = store.pool
        w3c = store.schemas.map { $0.format == .w3c }
    }

    /// Appends the request message of event `e` to `s`. The URL query (not interned: nearly every one is unique)
    /// is read from the raw line and clipped to 80 characters.
    func append(_ e: EventID, into s: inout [UInt8]) {
        let start = s.count
        for (k, part) in Self.parts.enumerated() {
            let id = columns[k][e]
            if id != 0 {
                if part.field != .urlStem || s.count > start { part.prefix.withUTF8Buffer { s.append(contentsOf: $0) } }
                if part.quoted { s.append(UInt8(ascii: "\"")) }
                pool.withBytes(id) { value in
                    // Each value is repaired on its own, as String(decoding:) of the value would.
                    if value.allSatisfy({ $0 < 0x80 }) { s.append(contentsOf: value) } else {
                        s.append(contentsOf: String(decoding: value, as: UTF8.self).utf8)
                    }
                }
                if part.quoted { s.append(UInt8(ascii: "\"")) }
            }
            if part.field == .urlStem { appendQuery(e, into: &s) }
        }
    }

    private func appendQuery(_ e: EventID, into s: inout [UInt8]) {
        let w3c = self.w3c[Int(store.schema[e])]
        store.withURLQuery(e) { logged in
            let query = URLQueryReader.withoutLogsMark(logged, w3c: w3c)
            guard !query.isEmpty else { return }
            s.append(UInt8(ascii: "?"))
            // Printable ASCII (nearly every query) is one Character per byte: clipped as bytes. Anything else is
            // clipped by Characters.
            if query.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                if query.count > 80 {
                    s.append(contentsOf: UnsafeRawBufferPointer(rebasing: query[..<79]))
                    s.append(contentsOf: "…".utf8)
                } else {
                    s.append(contentsOf: query)
                }
            } else {
                let text = String(decoding: query, as: UTF8.self)
                s.append(contentsOf: (text.count > 80 ? String(text.prefix(79)) + "…" : text).utf8)
            }
        }
    }
}

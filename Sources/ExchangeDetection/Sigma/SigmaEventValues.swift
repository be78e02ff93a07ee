import ExchangeEvidence

/// Reads the Sigma field values of one event at a time straight from the store — indexed columns by their
/// value id, text fields from the event's line — and decides items on them. It is the plain evaluation every
/// faster path of `SigmaTable` must agree with, and what explains a finding after the table is gone.
///
/// One instance per thread: it keeps the last event it read.
final class SigmaEventValues {
    let store: EventStore
    let binding: SigmaLogSourceMap.Binding
    private let reader: SigmaValueReader
    private var nameIndex: [String: Int] = [:]

    /// `names`: the lower-cased evidence field names the items read (as `SigmaTable` collects them).
    init(store: EventStore, binding: SigmaLogSourceMap.Binding, names: [String]) {
        self.store = store
        self.binding = binding
        reader = SigmaValueReader(store: store, names: names)
        for (i, n) in reader.fields.names.enumerated() { nameIndex[n] = i }
    }

    /// Where a Sigma field's value comes from (nil field: the keywords, the whole event).
    static func source(of field: String?, in binding: SigmaLogSourceMap.Binding) -> SigmaFieldSource {
        field.map { binding.source(of: $0) } ?? .column(SigmaFieldReader.keywords)
    }

    /// Calls `body` with the bytes of a Sigma field of event `id` (nil: absent).
    func withValue<R>(_ field: String?, of id: EventID, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch Self.source(of: field, in: binding) {
        case .interned(let f):
            let sid = store.valueID(f, id)
            return sid == 0 ? body(nil) : store.pool.withBytes(sid, body)
        case .column(let n):
            guard let i = nameIndex[n.lowercased()] else { return body(nil) }
            reader.load(id)
            return reader.fields.withField(i, body)
        case .join(let ns, let sep):
            reader.load(id)
            return reader.joined(ns.compactMap { nameIndex[$0.lowercased()] }, separator: sep, body)
        }
    }

    /// The value of a Sigma field of event `id` (nil: absent).
    func value(_ field: String?, of id: EventID) -> String? {
        withValue(field, of: id) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// True when `item` holds for event `id`, decided on the event's own values.
    func holds(_ item: SigmaItem, for id: EventID) -> Bool {
        guard SigmaTable.hasFieldRef(item) else { return withValue(item.field, of: id) { SigmaMatch.holds(item, $0) } }
        let v = value(item.field, of: id)
        func test(_ t: SigmaTest) -> Bool {
            guard case .fieldRef(let other, let mode) = t else { return SigmaMatch.holds(SigmaItem(field: item.field, groups: [[t]], all: false, key: item.key), v) }
            guard let a = v?.lowercased(), let b = value(other, of: id)?.lowercased() else { return false }
            switch mode {
            case .equals: return a == b
            case .contains: return a.contains(b)
            case .startswith: return a.hasPrefix(b)
            case .endswith: return a.hasSuffix(b)
            }
        }
        func group(_ g: [SigmaTest]) -> Bool { g.contains(where: test) }
        return item.all ? item.groups.allSatisfy(group) : item.groups.contains(where: group)
    }
}

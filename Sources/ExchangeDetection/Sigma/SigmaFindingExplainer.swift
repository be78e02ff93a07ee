import ExchangeEvidence
import Foundation

/// Writes the summary of a Sigma finding when it is read: the values of the items that decided it over its first
/// events, and for a burst how many events and from which clients. A broad rule has hundreds of
/// thousands of bursts on a big set; reading each one's line while hunting cost more than matching all rules.
///
/// One per (rule, log-source binding). Findings of any thread may ask: each call takes a reader of its own from
/// a small pool (a reader keeps the last event it read), so listings rendered on all cores do not queue on one.
final class SigmaFindingExplainer: FindingExplainer, @unchecked Sendable {
    private let makeReader: () -> SigmaEventValues
    private var idle: [SigmaEventValues] = []
    private let deciding: SigmaDecidingItems
    private let web: Bool
    private let lock = NSLock()

    init(table: SigmaTable, rule: SigmaRule) {
        let (store, binding, names) = (table.store, table.binding, table.fieldNames)
        makeReader = { SigmaEventValues(store: store, binding: binding, names: names) }
        deciding = SigmaDecidingItems(rule: rule) { table.items[table.index(of: $0)] }
        web = table.binding.kind == .iis || table.binding.kind == .httpProxy
    }

    func summary(of events: FindingEvents) -> String {
        guard let first = events.first else { return "condition holds" }
        let values = lock.withLock { idle.popLast() } ?? makeReader()
        defer { lock.withLock { idle.append(values) } }
        let store = values.store
        var summary = describe(events, values)
        if events.count > 1 {
            // The first three distinct client addresses, in event order, and how many more.
            let clientIPs = store.values[InternedField.clientIP.rawValue]
            var seen: [UInt32] = []
            var more = Set<UInt32>()
            for id in events where clientIPs[id] != 0 && !seen.contains(clientIPs[id]) {
                if seen.count < 3 { seen.append(clientIPs[id]) } else { more.insert(clientIPs[id]) }
            }
            let from = seen.map { store.pool.string($0) }.joined(separator: ", ") + (more.isEmpty ? "" : " +\(more.count) more")
            summary += " (\(events.count) events" + (web && !seen.isEmpty ? " from \(from)" : "") + ")"
        } else if web, case let ip = store.value(.clientIP, first), !ip.isEmpty, !Self.mentions(summary, ip) {
            summary += " from \(ip)"
        }
        return summary
    }

    /// `field=value` for each field of the items that decided the condition (`SigmaDecidingItems`), with the
    /// distinct values they took over the burst's first `sampled` events (up to three, then how many more): a
    /// burst of six requests whose user agents differ must not read as six of the first one's, and a rule `a or b`
    /// must quote what `b` found on the events it decided. Events decided on other fields (another map of a list)
    /// are described apart, after a `;`, so one map's values are never read as another's.
    private func describe(_ events: FindingEvents, _ values: SigmaEventValues) -> String {
        var sets: [DecidingSet] = []
        for id in events.prefix(Self.sampled) {
            guard let items = deciding.items(for: id, values) else { continue }
            var fields: [String?] = []
            for item in items where !fields.contains(item.field?.lowercased()) { fields.append(item.field?.lowercased()) }
            let k = sets.firstIndex { $0.fields == fields } ?? { sets.append(DecidingSet(fields: fields)); return sets.count - 1 }()
            for item in items {
                guard let field = item.field else { keywords(item, id, values, into: &sets[k].keywords); continue }
                if sets[k].names[field.lowercased()] == nil { sets[k].names[field.lowercased()] = field }
                let v = values.value(field, of: id)?.oneLine(160)
                if !(sets[k].values[field.lowercased()]?.contains(v) ?? false) { sets[k].values[field.lowercased(), default: []].append(v) }
            }
        }
        let described = sets.map(Self.describe).filter { !$0.isEmpty }
        guard !described.isEmpty else { return "condition holds" }
        return described.prefix(3).joined(separator: "; ") + (described.count > 3 ? "; (+\(described.count - 3) more)" : "")
    }

    /// What the events decided on one set of fields took: per field (lower-cased, nil for keywords) the distinct
    /// values (nil: absent), and the keyword values found with the fields they were in.
    private struct DecidingSet {
        let fields: [String?]
        var names: [String: String] = [:]
        var values: [String: [String?]] = [:]
        var keywords: [(text: String, fields: [String])] = []
    }

    private static func describe(_ set: DecidingSet) -> String {
        set.fields.compactMap { key -> String? in
            guard let key else { return set.keywords.isEmpty ? nil : keywords(set.keywords) }
            let name = set.names[key] ?? key
            let distinct = (set.values[key] ?? []).compactMap { $0 }
            if distinct.isEmpty { return "\(name) absent" }
            return "\(name)=" + distinct.prefix(3).joined(separator: " | ") + (distinct.count > 3 ? " (+\(distinct.count - 3) more)" : "")
        }.joined(separator: " ")
    }

    /// Adds to `found` which of a keyword item's values event `id` contains (spelled as in the event where the
    /// value is one literal, else as compared), each with the field it is in: a keyword rule's finding must say
    /// what it found and where, as a field rule's quotes the value (reviewer: `keywords 'fs03.offsec.lan'` named
    /// no field), and in every field it was found in over the burst (reviewer: `in CommandLine (5 events)` where
    /// three were 5145 events matched in `RelativeTargetName`).
    private func keywords(_ item: SigmaItem, _ id: EventID, _ values: SigmaEventValues, into found: inout [(text: String, fields: [String])]) {
        var fields: [(name: String, value: String)]?
        values.withValue(nil, of: id) { v in
            guard let v else { return }
            for t in item.groups.joined() where t.matches(v) {
                let text: String
                switch t {
                case .pattern(let p), .userAgent(let p): text = "'\((p.spelled(in: v) ?? p.shown).oneLine(60))'"
                case .regex(let r): text = "/\(r.source.oneLine(60))/"
                default: continue
                }
                if fields == nil { fields = values.store.fields(of: id) }
                let field = fields?.first { f in var value = f.value; return value.withUTF8 { t.matches(UnsafeRawBufferPointer($0)) } }?.name
                guard let k = found.firstIndex(where: { $0.text == text }) else { found.append((text, field.map { [$0] } ?? [])); continue }
                if let field, !found[k].fields.contains(field) { found[k].fields.append(field) }
            }
        }
    }

    /// `keywords 'a', 'b' in Data1`; `keywords 'a' in CommandLine | RelativeTargetName, 'b' in Data1` (up to three
    /// values, then how many more).
    private static func keywords(_ found: [(text: String, fields: [String])]) -> String {
        func place(_ fields: [String]) -> String { fields.isEmpty ? "" : " in " + fields.joined(separator: " | ") }
        let shown = found.prefix(3)
        let listed: String
        if let one = shown.first?.fields, shown.allSatisfy({ $0.fields == one }) {
            listed = shown.map(\.text).joined(separator: ", ") + place(one)
        } else {
            listed = shown.map { $0.text + place($0.fields) }.joined(separator: ", ")
        }
        return "keywords " + listed + (found.count > 3 ? " (+\(found.count - 3) more)" : "")
    }

    /// Events of a burst whose values a summary reads.
    static let sampled = 32

    /// True when `text` contains `part` byte for byte.
    static func mentions(_ text: String, _ part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { t in
            part.withUTF8 { p in
                guard !p.isEmpty else { return true }
                guard p.count <= t.count else { return false }
                for i in 0...(t.count - p.count) where t[i] == p[0] {
                    if memcmp(t.baseAddress! + i, p.baseAddress!, p.count) == 0 { return true }
                }
                return false
            }
        }
    }
}

import ExchangeEvidence
import Foundation

/// Writes the summary of a Sigma finding when it is read: the rule's positive items that hold over its first events
/// with their values, and for a burst how many events and from which clients. A broad rule has hundreds of
/// thousands of bursts on a big set; reading each one's line while hunting cost more than matching all rules.
///
/// One per (rule, log-source binding). Findings of any thread may ask: each call takes a reader of its own from
/// a small pool (a reader keeps the last event it read), so listings rendered on all cores do not queue on one.
final class SigmaFindingExplainer: FindingExplainer, @unchecked Sendable {
    private let makeReader: () -> SigmaEventValues
    private var idle: [SigmaEventValues] = []
    private let items: [SigmaItem]
    private let web: Bool
    private let lock = NSLock()

    /// `items`: the rule's items under no NOT, in the condition's order (`SigmaEvaluator.positiveItems`).
    init(table: SigmaTable, items: [SigmaItem]) {
        let (store, binding, names) = (table.store, table.binding, table.fieldNames)
        makeReader = { SigmaEventValues(store: store, binding: binding, names: names) }
        self.items = items
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

    /// `field=value` for each positive item that holds, once per field, with the distinct values it took over
    /// the burst's first `sampled` events (up to three, then how many more): a burst of six requests whose user
    /// agents differ must not read as six of the first one's.
    private func describe(_ events: FindingEvents, _ values: SigmaEventValues) -> String {
        var parts: [String] = []
        var seen = Set<String>()
        let sample = events.prefix(Self.sampled)
        for item in items {
            let name = item.field ?? "keywords"
            guard !seen.contains(name.lowercased()) else { continue }
            var distinct: [String] = [], holds = false
            for id in sample where values.holds(item, for: id) {
                holds = true
                guard item.field != nil, let v = values.value(item.field, of: id)?.oneLine(160) else { continue }
                if !distinct.contains(v) { distinct.append(v) }
            }
            guard holds else { continue }
            seen.insert(name.lowercased())
            if item.field == nil { parts.append(keywords(item, sample, values)); continue }
            if distinct.isEmpty { parts.append("\(name) absent"); continue }
            parts.append("\(name)=" + distinct.prefix(3).joined(separator: " | ") + (distinct.count > 3 ? " (+\(distinct.count - 3) more)" : ""))
        }
        return parts.isEmpty ? "condition holds" : parts.joined(separator: " ")
    }

    /// Which of a keyword item's values the first event it holds for contains (up to three, then how many
    /// more; spelled as in the event where the value is one literal, else as compared), each with the field it
    /// is in: a keyword rule's finding must say what it found and where, as a field rule's quotes the value
    /// (reviewer: `keywords 'fs03.offsec.lan'` named no field).
    /// `keywords 'a', 'b' in Data1`; `keywords 'a' in CommandLine, 'b' in RelativeTargetName`.
    private func keywords(_ item: SigmaItem, _ sample: FindingEvents.SubSequence, _ values: SigmaEventValues) -> String {
        guard let id = sample.first(where: { values.holds(item, for: $0) }) else { return "keywords matched" }
        var found: [(text: String, field: String?)] = []
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
                guard !found.contains(where: { $0.text == text }) else { continue }
                if fields == nil { fields = values.store.fields(of: id) }
                let field = fields?.first { f in var value = f.value; return value.withUTF8 { t.matches(UnsafeRawBufferPointer($0)) } }
                found.append((text, field?.name))
            }
        }
        guard !found.isEmpty else { return "keywords matched" }
        let shown = found.prefix(3)
        let listed: String
        if let one = shown.first?.field, shown.allSatisfy({ $0.field == one }) {
            listed = shown.map(\.text).joined(separator: ", ") + " in \(one)"
        } else {
            listed = shown.map { $0.text + ($0.field.map { " in \($0)" } ?? "") }.joined(separator: ", ")
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

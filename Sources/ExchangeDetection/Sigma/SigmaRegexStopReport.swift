import ExchangeEvidence
import Foundation

/// Says where a rule's `re` was stopped (see `SigmaRegex`): an info finding `sigma:error` per rule and log
/// source, naming the expression, how many values it stopped on and the events holding the first of them.
/// Without it a rule whose only test gave up would show no finding, read as "nothing there".
enum SigmaRegexStopReport {
    static let rule = "sigma:error"

    /// Clears what an earlier hunt recorded on the rules' expressions.
    static func reset(_ rules: [SigmaRule]) {
        for r in rules { for x in regexes(of: r.items) { x.stops.reset() } }
    }

    static func findings(_ pairs: [(table: SigmaTable, rule: SigmaRule)]) -> [Finding] {
        // Equal expressions of several rules share the compiled copy a table kept: collect the stops of every
        // copy by expression, so each rule using it is told.
        var stopped: [SigmaRegex: (count: Int, first: [String])] = [:]
        for p in pairs {
            for x in regexes(of: p.rule.items) {
                let s = x.stops.stoppedValues
                if s.count > (stopped[x]?.count ?? 0) { stopped[x] = s }
            }
        }
        guard !stopped.isEmpty else { return [] }
        var out: [Finding] = []
        for p in pairs {
            let mine = p.rule.items.compactMap { item -> (SigmaItem, SigmaRegex, (count: Int, first: [String]))? in
                for x in regexes(of: [item]) { if let s = stopped[x] { return (item, x, s) } }
                return nil
            }
            guard !mine.isEmpty else { continue }
            let values = p.table.valueReader()
            for (item, regex, stops) in mine {
                let events = holding(stops.first, field: item.field, table: p.table, values: values)
                guard let first = events.first else { continue }
                let store = p.table.store
                let shown = stops.first.first.map { ": \"\($0.oneLine(80))\"" } ?? ""
                out.append(Finding(rule: rule, title: "Sigma rule's regular expression stopped", cves: [], severity: .info,
                                   server: store.server(of: first), time: store.time[first], events: events,
                                   file: store.citation(of: store.file(of: first)), line: store.line(of: first),
                                   summary: "\(p.rule.findingRule) (\(p.rule.title)): /\(regex.source.oneLine(80))/ on \(item.field ?? "keywords") was stopped on "
                                       + "\(stops.count) value\(stops.count == 1 ? "" : "s") (over \(SigmaRegex.timeLimit / 1_000_000_000) s, or too deep for ICU) "
                                       + "and counted as no match\(stops.count >= SigmaRegex.giveUpAfter ? "; it was not run on later values" : "")\(shown)"))
            }
        }
        return out
    }

    /// The first events of the table holding one of `wanted` in `field`, up to three per value.
    private static func holding(_ wanted: [String], field: String?, table: SigmaTable, values: SigmaEventValues) -> [EventID] {
        var found: [EventID] = [], counts = [Int](repeating: 0, count: wanted.count)
        let bytes = wanted.map { Array($0.utf8) }
        for id in table.events where counts.contains(where: { $0 < 3 }) {
            let k: Int? = values.withValue(field, of: id) { v in v.flatMap { v in bytes.firstIndex { $0.elementsEqual(v) } } }
            if let k, counts[k] < 3 { counts[k] += 1; found.append(id) }
        }
        return found
    }

    static func regexes(of items: [SigmaItem]) -> [SigmaRegex] {
        items.flatMap { $0.groups.joined().compactMap { if case .regex(let r) = $0 { r } else { nil } } }
    }
}

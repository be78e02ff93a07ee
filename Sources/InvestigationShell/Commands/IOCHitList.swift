import ExchangeDetection
import ExchangeEvidence
import Foundation

/// The hits the last `grep-ioc --hits` listed, numbered `I1…` in listing order, so `mark ioc I3` names one
/// the way `mark finding F3` names a finding. The numbers hold until the next `grep-ioc --hits` or load.
final class IOCHitList {
    struct Entry { var event: EventID?; var indicator: String; var fields: [String] }
    private(set) var entries: [Entry] = []
    private(set) var generation = -1

    static func of(_ session: Session) -> IOCHitList { session.attachment(IOCHitList.self) { IOCHitList() } }

    static func id(_ index: Int) -> String { "I\(index + 1)" }

    func remember(_ hits: [IOCHit], _ matcher: IOCMatcher, store: EventStore) {
        entries = hits.map { Entry(event: $0.event, indicator: matcher.indicators[$0.indicator].value, fields: $0.fields) }
        generation = store.generation
    }

    /// The event of hit `I3`; throws when there is no such hit or it is not an event.
    func event(_ word: String, store: EventStore, command: String) throws -> EventID {
        guard !entries.isEmpty else { throw ShellError("\(command): no numbered hits; run 'grep-ioc --hits' first") }
        guard generation == store.generation else {
            throw ShellError("\(command): the evidence changed since 'grep-ioc --hits' numbered the hits; run it again")
        }
        guard let n = Int(word.dropFirst()), n >= 1, n <= entries.count else {
            throw ShellError("\(command): no hit '\(TerminalText.escape(word))' (the last 'grep-ioc --hits' listed I1–I\(entries.count))")
        }
        let e = entries[n - 1]
        guard let event = e.event else {
            throw ShellError("\(command): hit \(word) (\(TerminalText.escape(e.indicator)) in \(e.fields.joined(separator: ","))) is a whole file or a line "
                             + "that is no event; there is no event to mark")
        }
        return event
    }

    /// True for words shaped like a hit id (`I3`, `i3`).
    static func isHitID(_ word: String) -> Bool {
        guard let first = word.first, first == "I" || first == "i", word.count > 1 else { return false }
        return word.dropFirst().allSatisfy(\.isASCII) && Int(word.dropFirst()) != nil
    }

    /// Every event where an indicator of this value (any set, compared as typed or normalised) hits in the
    /// modelled fields, as `grep-ioc` finds them.
    static func events(ofIndicator value: String, session: Session, command: String) throws -> [EventID] {
        let library = session.indicatorLibrary
        let all = (try? library.select(sets: [], types: [])) ?? []
        // As written or defanged (`1.2.3[.]4`, `hxxp://`): sets keep values refanged, as they were loaded (reviewer).
        let wanted: Set<String> = [value.lowercased(), IndicatorNormalizer.refang(value).lowercased()]
        let chosen = all.filter { !$0.isDirectory && (wanted.contains($0.value.lowercased()) || wanted.contains($0.normalized.lowercased())) }
        guard !chosen.isEmpty else {
            throw ShellError("\(command): no indicator '\(TerminalText.escape(value))' in the indicator sets "
                             + "(add it with 'ioc add TYPE VALUE', or name a hit of 'grep-ioc --hits' as I1, I2, …)")
        }
        let hits = IOCMatcher(indicators: chosen).match(session.store)
        var seen = Set<EventID>()
        let events = hits.compactMap(\.event).filter { seen.insert($0).inserted }
        guard !events.isEmpty else {
            throw ShellError("\(command): indicator '\(TerminalText.escape(value))' hits no loaded event")
        }
        return events
    }
}

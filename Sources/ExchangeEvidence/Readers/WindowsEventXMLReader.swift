/// Windows events exported as XML: `wevtutil qe LOG /f:xml` (a run of `<Event>` elements with no root),
/// `/f:RenderedXml` (adds `RenderingInfo/Message`), or the same wrapped in an `<Events>` root.
///
/// Each `<Event>` becomes the same `keyValue` line the `.evtx` reader renders, so rules see one format.
/// The event's line number is the line its `<Event` tag starts on. An event cut off before `</Event>`
/// is still kept (what was read of it) and reported.
public struct WindowsEventXMLReader: EvidenceReader {
    public init() {}
    public var name: String { "windows-event-xml" }
    public var readsText: Bool { true }

    static let namespace: StaticString = "schemas.microsoft.com/win/2004/08/events/event"

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        // Cheap test first (every file is scored): an export starts with markup.
        guard let opening = head.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }), opening == 0x3C,
              let first = Self.nextEvent(head, from: 0) else { return 0 }
        // Only markup may come before the first event (an XML declaration, an `<Events>` root, whitespace).
        let lead = head[0..<first]
        guard lead.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) || lead.first == UInt8(ascii: "<")
        else { return 0 }
        let window = UnsafeRawBufferPointer(rebasing: head[first..<min(head.count, first + 512)])
        if EventXMLScanner.find(window, 0, Self.namespace) != nil { return 90 }
        return EventXMLScanner.find(window, 0, "<System>") != nil ? 70 : 0
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .eventLog
        let p = input.bytes
        let schema = output.batch.addSchema(WindowsEvent.schema)
        var rendered: [UInt8] = []
        rendered.reserveCapacity(p.count / 2)
        var channels: [String: Int] = [:]
        var computers: [String: Int] = [:]
        var rows = RowGroups()
        var line = 1, counted = 0
        var at = 0
        while let start = Self.nextEvent(p, from: at) {
            Self.consumeMarkup(p, at, start, line: line + Self.newlines(p, counted, at), into: &output)
            line += Self.newlines(p, counted, start)
            counted = start
            // Look for the end only up to the next event, so a file of unclosed events stays linear.
            let following = Self.nextEvent(p, from: start + 1)
            let limit = following ?? p.count
            let close = EventXMLScanner.find(UnsafeRawBufferPointer(rebasing: p[..<limit]), start, "</Event>")
            let end = close.map { $0 + 8 } ?? limit
            let ev = EventXMLScanner.scan(UnsafeRawBufferPointer(rebasing: p[start..<end]))
            at = end
            if close == nil {
                output.problems.add(LoadProblem(line: line, "line \(line): event not closed (file cut off?); kept what was read"),
                                    kind: "unclosed event")
            }
            guard ev.hasSystem else {
                output.problems.add(LoadProblem(line: line, "line \(line): <Event> without a <System> part; skipped"),
                                    kind: "event without System")
                output.skipped(offset: start, length: end - start, line: line)
                continue
            }
            output.consumed(offset: start, length: end - start, line: line)
            let time = ev.time
            if time == Timestamp.unknown {
                output.problems.add(LoadProblem(line: line, "line \(line): no readable TimeCreated"), kind: "no time")
            }
            let from = rendered.count
            ev.append(to: &output, rendered: &rendered, schema: schema, line: line, time: time, recovered: false)
            LineChecks.checkRendered(rendered, from: from, number: line, problems: &output.problems)
            channels[ev.channel, default: 0] += 1
            computers[ev.computer, default: 0] += 1
            rows.set(server: String(ev.computer.prefix { $0 != "." }), channel: ev.channel, eventCount: output.batch.count)
        }
        Self.consumeMarkup(p, at, p.count, line: line + Self.newlines(p, counted, at), into: &output)
        if output.batch.count == 0 {
            output.problems.add(LoadProblem("no <Event> elements found"))
        }
        output.rendered = rendered
        output.channel = EvtxReader.mostCommon(channels) ?? ""
        if let host = EvtxReader.mostCommon(computers), !host.isEmpty {
            output.facts["server"] = String(host.prefix { $0 != "." })
        }
        // An export of several logs (`wevtutil qe` of Security and Sysmon appended to one file), or of a forwarded
        // fleet: each event under its own channel and server, so channel-bound rules see it (reviewer).
        output.file(byRows: rows, serversFact: "xml.servers")
    }

    /// Offset of the next `<Event` start tag (not `<Events`, `<EventData`, …).
    static func nextEvent(_ p: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while let lt = EventXMLScanner.find(p, i, "<Event") {
            if lt + 6 < p.count {
                let c = p[lt + 6]
                if c == UInt8(ascii: ">") || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { return lt }
            }
            i = lt + 1
        }
        return nil
    }

    /// Marks the input between events as read when it is only markup (the XML declaration, an `<Events>`
    /// root, comments) and white space; anything else is left for the byte accounting to report.
    private static func consumeMarkup(_ p: UnsafeRawBufferPointer, _ from: Int, _ to: Int, line: Int, into output: inout ReaderOutput) {
        var i = from
        while i < to {
            let c = p[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1; continue }
            guard c == UInt8(ascii: "<"), let close = EventXMLScanner.find(UnsafeRawBufferPointer(rebasing: p[..<to]), i, ">") else { return }
            i = close + 1
        }
        output.consumed(offset: from, length: to - from, line: line)
    }

    private static func newlines(_ p: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Int {
        var n = 0
        for k in from..<to where p[k] == 0x0A { n += 1 }
        return n
    }
}

import Dispatch
import ExchangeEvidence

extension IOCMatcher {
    /// Indicators anywhere in the bytes of every loaded file (`grep-ioc --raw`), for fields the readers do not
    /// model. One automaton pass per file, files spread over the cores; each indicator is reported once per line,
    /// with the event that line became when there is one.
    public func matchRaw(_ store: EventStore, filter: IOCFilter = IOCFilter()) -> [IOCHit] {
        let files = store.files
        // Events are appended file by file, so each file's events are one contiguous, offset-ordered range.
        var firstEvent = [Int](repeating: 0, count: files.count + 1)
        var counts = [Int](repeating: 0, count: files.count)
        for f in store.fileIndex { counts[Int(f)] += 1 }
        for i in 0..<files.count { firstEvent[i + 1] = firstEvent[i] + counts[i] }

        let units = store.scanGroups.filter { $0.contains { filter.accepts(files[$0]) } }
            .sorted { files[$0[0]].bytes.count > files[$1[0]].bytes.count }
        var results = [[IOCHit]](repeating: [], count: units.count)
        results.withUnsafeMutableBufferPointer { out in
            let sink = out
            DispatchQueue.concurrentPerform(iterations: units.count) { k in
                let parts = units[k].map { (file: $0, events: firstEvent[$0]..<firstEvent[$0 + 1]) }
                sink[k] = scanFile(parts, store: store, filter: filter).filter { filter.accepts(files[$0.file]) }
            }
        }
        return results.flatMap { $0 }.sorted { ($0.file, $0.line, $0.indicator) < ($1.file, $1.line, $1.indicator) }
    }

    /// Scans the bytes `parts` share (the first part's text) once; a hit goes to the part whose event holds it,
    /// or to the first part (which carries the file's accounting) when no event does.
    private func scanFile(_ parts: [(file: Int, events: Range<Int>)], store: EventStore, filter: IOCFilter) -> [IOCHit] {
        var hits: [IOCHit] = []
        var lastLine = [Int](repeating: 0, count: indicators.count)
        let times = store.time
        // Hits arrive in file order within each pass, so lines are counted incrementally.
        var line = 1, counted = 0
        // The start of a log collected again is the earlier copy's, whose own scan reports it.
        let shared = store.files[parts[0].file].continuesFrom
        func record(_ i: Int, at start: Int, _ buf: UnsafeRawBufferPointer, _ text: EventText) {
            line += Self.newlines(buf, counted, start)
            counted = start
            if lastLine[i] == line || start < shared { return }
            lastLine[i] = line
            var owner = parts[0].file, event: EventID?
            for part in parts {
                if let e = Self.event(containing: start, in: part.events, text) { (owner, event) = (part.file, e); break }
            }
            let time = event.map { times[$0] } ?? Timestamp.unknown
            if filter.acceptsTime(time) {
                hits.append(IOCHit(indicator: i, event: event, file: owner, line: line, field: "raw", time: time))
            }
        }
        // EVTX events are binary records: their rendered lines are searched, as `show` prints them.
        store.withEventText(file: parts[0].file) { text in
            let buf = text.bytes
            if let c = compiled[.raw], !c.patterns.bytes.isEmpty {
                c.automaton.scan(buf) { p, end in
                    let start = end - Int(c.automaton.patternLengths[p])
                    if IOCConfirm.confirm(c.patterns.role[p], buf, start, end, group: .raw, exact: c.patterns.exact[p]) {
                        record(Int(c.patterns.indicator[p]), at: start, buf, text)
                    }
                    return true
                }
            }
            if rawTokensInAutomaton { return }
            line = 1
            counted = 0
            HexDigests.find(in: buf, index: hashIndex) { start, _, list in
                for i in list { record(i, at: start, buf, text) }
            }
            line = 1
            counted = 0
            IPv4Tokens.find(in: buf, index: ipIndex) { start, _, list in
                for i in list { record(i, at: start, buf, text) }
            }
        }
        return hits
    }

    /// Newlines in `buf[from..<to]`.
    private static func newlines(_ buf: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Int {
        var n = 0
        var i = from
        while i < to {
            if buf[i] == 0x0A { n += 1 }
            i += 1
        }
        return n
    }

    /// The event whose raw line holds byte `offset` of its file, by binary search over the file's events.
    private static func event(containing offset: Int, in range: Range<Int>, _ text: EventText) -> EventID? {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) >> 1
            if text.offset(mid) <= offset { lo = mid + 1 } else { hi = mid }
        }
        let e = lo - 1
        guard e >= range.lowerBound, offset < text.offset(e) + text.length(e) else { return nil }
        return e
    }
}

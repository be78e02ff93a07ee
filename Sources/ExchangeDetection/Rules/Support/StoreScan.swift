import ExchangeEvidence

/// Store queries shared by the rules. All of them work on the interned columns or on the stored bytes:
/// a rule looks at each distinct value once and at each event as an integer, never re-reading files.
extension EventStore {
    /// The event range of every file of the given kinds (all files when `kinds` is empty).
    ///
    /// Events are appended file by file, so file `i` owns the `eventCount` ids after those of files `0..<i`.
    public func eventRanges(kinds: [SourceKind] = []) -> [(file: Int, range: Range<EventID>)] {
        var out: [(file: Int, range: Range<EventID>)] = []
        var start = 0
        for (i, f) in files.enumerated() {
            let r = start..<(start + f.eventCount)
            start = r.upperBound
            if (kinds.isEmpty || kinds.contains(f.kind)) && !r.isEmpty { out.append((i, r)) }
        }
        return out
    }

    /// Events of `kinds` whose interned `field` value satisfies `test`, in id order.
    ///
    /// One pass over the column of those kinds; `test` runs once per distinct value that actually occurs
    /// there (never on the rest of the pool, which holds every other field's values too).
    public func events(where field: InternedField, kinds: [SourceKind] = [],
                       _ test: (UnsafeRawBufferPointer) -> Bool) -> [EventID] {
        let p = pool
        var state = [UInt8](repeating: 0, count: p.count)  // 0 = not seen, 1 = no, 2 = yes
        var out: [EventID] = []
        values[field.rawValue].withUnsafeBufferPointer { col in
            for (_, range) in eventRanges(kinds: kinds) {
                for id in range {
                    let v = Int(col[id])
                    if v == 0 { continue }
                    var s = state[v]
                    if s == 0 {
                        s = p.withBytes(UInt32(v), test) ? 2 : 1
                        state[v] = s
                    }
                    if s == 2 { out.append(id) }
                }
            }
        }
        return out
    }

    /// Keeps the events whose `field` value satisfies `test`, testing each distinct value once.
    public func filter(_ ids: [EventID], _ field: InternedField, _ test: (UnsafeRawBufferPointer) -> Bool) -> [EventID] {
        var memo: [UInt32: Bool] = [:]
        let p = pool
        return ids.filter { id in
            let v = valueID(field, id)
            if let known = memo[v] { return known }
            let r = p.withBytes(v, test)
            memo[v] = r
            return r
        }
    }

    /// Events of the given kinds whose stored line contains `needle` (lower case; matched ignoring case).
    /// Searches each file's text once (for EVTX, its rendered lines) and maps hits back to events by offset.
    /// `accept`, given the text and a hit's offset, may turn the hit down before it is mapped to its event (a
    /// rule that needs more than the needle, where the needle is common).
    public func events(containing needle: String, kinds: [SourceKind],
                       where accept: ((UnsafeRawBufferPointer, Int) -> Bool)? = nil) -> [EventID] {
        let n = needle.lowerBytes
        var out: [EventID] = []
        for (fi, range) in eventRanges(kinds: kinds) {
            withEventText(file: fi) { text in
                let bytes = text.bytes
                var from = 0
                var lo = range.lowerBound
                while let hit = ByteMatch.find(n, in: bytes, from: from) {
                    if let accept, !accept(bytes, hit) {
                        from = hit + 1
                        continue
                    }
                    // First event whose line ends after the hit; offsets rise within a file.
                    var a = lo, b = range.upperBound
                    while a < b {
                        let m = (a + b) / 2
                        if text.offset(m) + text.length(m) <= hit { a = m + 1 } else { b = m }
                    }
                    guard a < range.upperBound else { break }
                    if text.offset(a) <= hit {
                        out.append(a)
                        from = text.offset(a) + text.length(a)
                        lo = a + 1
                    } else {
                        from = text.offset(a)
                        lo = a
                    }
                    if lo >= range.upperBound { break }
                }
            }
        }
        return out
    }
}

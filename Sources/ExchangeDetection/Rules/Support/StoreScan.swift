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

    /// Ids of the distinct values that satisfy `test`, as a lookup table indexed by value id.
    /// Each distinct value is tested once, however many events carry it.
    public func valueTable(_ test: (UnsafeRawBufferPointer) -> Bool) -> (table: [Bool], any: Bool) {
        let p = pool
        var table = [Bool](repeating: false, count: p.count)
        var any = false
        for id in p.ids where p.withBytes(id, test) {
            table[Int(id)] = true
            any = true
        }
        return (table, any)
    }

    /// Events whose interned `field` value satisfies `test`, in id order.
    public func events(where field: InternedField, kinds: [SourceKind] = [],
                       _ test: (UnsafeRawBufferPointer) -> Bool) -> [EventID] {
        let (table, any) = valueTable(test)
        guard any else { return [] }
        let column = values[field.rawValue]
        var out: [EventID] = []
        column.withUnsafeBufferPointer { col in
            for (_, range) in eventRanges(kinds: kinds) {
                for id in range where table[Int(col[id])] { out.append(id) }
            }
        }
        return out
    }

    /// Events of the given kinds whose stored line contains `needle` (lower case; matched ignoring case).
    /// Searches each file's bytes once and maps hits back to events by offset.
    public func events(containing needle: String, kinds: [SourceKind]) -> [EventID] {
        let n = needle.lowerBytes
        var out: [EventID] = []
        for (fi, range) in eventRanges(kinds: kinds) {
            files[fi].bytes.withUnsafeBytes { bytes in
                var from = 0
                var lo = range.lowerBound
                while let hit = ByteMatch.find(n, in: bytes, from: from) {
                    // First event whose line ends after the hit; offsets rise within a file.
                    var a = lo, b = range.upperBound
                    while a < b {
                        let m = (a + b) / 2
                        if offset[m] + Int(length[m]) <= hit { a = m + 1 } else { b = m }
                    }
                    guard a < range.upperBound else { break }
                    if offset[a] <= hit {
                        out.append(a)
                        from = offset[a] + Int(length[a])
                        lo = a + 1
                    } else {
                        from = offset[a]
                        lo = a
                    }
                    if lo >= range.upperBound { break }
                }
            }
        }
        return out
    }
}

/// Where every byte of a file went: into an event, a header the reader read, or a problem line naming
/// file, line and reason. Run by the loader after every reader, so no reader can lose data silently: a
/// non-blank line that is in no event and named by no problem gets a problem of its own here.
///
/// Events of line readers cover their own bytes; readers whose events point into rendered text (event XML,
/// web files) mark the input they read with `ReaderOutput.consumed`. Record formats (EVTX) set
/// `ReaderOutput.records` and are counted in records instead. Blank lines (spaces, tabs, CR, LF) hold nothing.
///
/// Costs one comparison per event plus a look at the line breaks between them: lines are numbered (by
/// counting newlines from the last event) only where something was not read.
struct ByteAccounting {
    /// Bytes of non-blank lines in no event and no header (each such line is named by a problem).
    var bytesNotRead = 0
    /// For record formats: records that became no event.
    var recordsNotRead = 0

    /// The kind of the problems the accounting itself adds.
    static let kind = "not read"

    /// Measures `output` against the `bytes` its reader was given, adding a problem for each unexplained line.
    /// Returns nil when the reader's events point elsewhere and it declared nothing to measure them by.
    static func measure(_ bytes: UnsafeRawBufferPointer, _ output: inout ReaderOutput, reader: String) -> ByteAccounting? {
        var result = ByteAccounting()
        defer { output.problems.forgetLines() }
        if let records = output.records {
            result.recordsNotRead = countRecords(records, &output, reader: reader)
            return result
        }
        let rendered = output.rendered != nil
        if rendered && output.spans.isEmpty { return nil }
        var walk = Walk(bytes: bytes, problemLines: sortedUnique(output.problems.lines), reader: reader)
        // A file refused as a whole (binary, no header): its problem explains every byte.
        if output.batch.count == 0 && output.spans.isEmpty && output.problems.total > output.problems.lines.count {
            walk.explainAll = true
        }
        let batch = output.batch
        var spans = output.spans
        if !spans.isSorted { spans.sort { $0.offset < $1.offset } }
        let eventCount = rendered ? 0 : batch.count
        var eventsSorted = true
        for i in 1..<max(1, eventCount) where batch.offsets[i] < batch.offsets[i - 1] { eventsSorted = false; break }
        var order: [Int] = []
        if !eventsSorted { order = Array(0..<eventCount); order.sort { batch.offsets[$0] < batch.offsets[$1] } }
        var e = 0, s = 0
        while e < eventCount || s < spans.count {
            let k = eventsSorted ? e : (e < eventCount ? order[e] : 0)
            if e < eventCount && (s == spans.count || batch.offsets[k] <= spans[s].offset) {
                walk.cover(batch.offsets[k], Int(batch.lengths[k]), line: Int(batch.lines[k]), read: true, &output.problems)
                e += 1
            } else {
                let sp = spans[s]
                walk.cover(sp.offset, sp.length, line: sp.line, read: sp.read, &output.problems)
                s += 1
            }
        }
        walk.gap(upTo: bytes.count, &output.problems)
        result.bytesNotRead = walk.notRead
        return result
    }

    private static func sortedUnique(_ lines: [Int]) -> [Int] {
        var l = lines
        if !l.isSorted { l.sort() }
        var out: [Int] = []
        out.reserveCapacity(l.count)
        for x in l where out.last != x { out.append(x) }
        return out
    }

    private static func countRecords(_ records: Int, _ output: inout ReaderOutput, reader: String) -> Int {
        guard records > 0 else { return 0 }
        var state = [UInt8](repeating: 0, count: records + 1)   // 1 event, 2 problem
        for l in output.batch.lines where Int(l) <= records { state[Int(l)] = 1 }
        for l in output.problems.lines where l >= 1 && l <= records && state[l] == 0 { state[l] = 2 }
        var notRead = 0
        for r in 1...records where state[r] != 1 {
            notRead += 1
            if state[r] == 0 {
                output.problems.add(LoadProblem(line: r, "record \(r): not read (\(reader) made no event of it and gave no reason)"),
                                    kind: kind)
            }
        }
        return notRead
    }

    /// The walk over the file in offset order.
    private struct Walk {
        let bytes: UnsafeRawBufferPointer
        let problemLines: [Int]
        let reader: String
        var explainAll = false
        var notRead = 0
        /// End of what has been covered so far.
        var position = 0
        /// A known line number at an offset, to number lines after it by counting newlines.
        var anchorOffset = 0, anchorLine = 1

        init(bytes: UnsafeRawBufferPointer, problemLines: [Int], reader: String) {
            self.bytes = bytes
            self.problemLines = problemLines
            self.reader = reader
        }

        mutating func cover(_ offset: Int, _ length: Int, line: Int?, read: Bool, _ problems: inout ProblemLog) {
            let start = max(0, min(offset, bytes.count)), end = max(start, min(offset + max(0, length), bytes.count))
            gap(upTo: start, &problems)
            if !read && end > position {
                notRead += end - max(start, position)
                if let line, !explained(line) { unexplained(line, end - max(start, position), &problems) }
            }
            if let line, start >= anchorOffset { anchorOffset = start; anchorLine = line }
            position = max(position, end)
        }

        /// Accounts for the bytes between `position` and `end`: blank, or lines that must be named by a problem.
        /// Between two events that is a line break, checked inline; anything else takes `lines(upTo:)`.
        @inline(__always)
        mutating func gap(upTo end: Int, _ problems: inout ProblemLog) {
            guard end > position else { return }
            var i = position
            while i < end, Self.isBlank(bytes[i]) { i += 1 }
            if i == end { position = end; return }
            lines(upTo: end, &problems)
        }

        /// The slow side of `gap`: a stretch with something other than blanks in it.
        private mutating func lines(upTo end: Int, _ problems: inout ProblemLog) {
            defer { position = end }
            if explainAll { notRead += end - position; return }
            // Number the lines: count newlines from the last known line.
            var line = anchorLine
            if position >= anchorOffset {
                for k in anchorOffset..<position where bytes[k] == 0x0A { line += 1 }
            }
            var lineStart = position, nonBlank = 0
            for k in position..<end {
                let b = bytes[k]
                if b == 0x0A {
                    if nonBlank > 0 { missing(line, k - lineStart - (k > lineStart && bytes[k - 1] == 0x0D ? 1 : 0), &problems) }
                    line += 1
                    lineStart = k + 1
                    nonBlank = 0
                } else if !Self.isBlank(b) {
                    nonBlank += 1
                }
            }
            if nonBlank > 0 { missing(line, end - lineStart, &problems) }
            anchorOffset = end
            anchorLine = line
        }

        private mutating func missing(_ line: Int, _ length: Int, _ problems: inout ProblemLog) {
            notRead += length
            if !explained(line) { unexplained(line, length, &problems) }
        }

        private func unexplained(_ line: Int, _ length: Int, _ problems: inout ProblemLog) {
            problems.add(LoadProblem(line: line, "line \(line): \(length) bytes not read (the \(reader) reader made no event of them)"),
                         kind: ByteAccounting.kind)
        }

        private func explained(_ line: Int) -> Bool {
            var lo = 0, hi = problemLines.count
            while lo < hi { let m = (lo + hi) / 2; if problemLines[m] < line { lo = m + 1 } else { hi = m } }
            return lo < problemLines.count && problemLines[lo] == line
        }

        @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    }
}

extension Array where Element == Int {
    var isSorted: Bool { zip(self, dropFirst()).allSatisfy { $0 <= $1 } }
}

extension Array where Element == InputSpan {
    var isSorted: Bool { zip(self, dropFirst()).allSatisfy { $0.offset <= $1.offset } }
}

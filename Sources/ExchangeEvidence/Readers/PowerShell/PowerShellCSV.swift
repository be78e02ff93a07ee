/// The layout of a PowerShell `Export-Csv` file: an optional `#TYPE Full.Type.Name` line, a header of
/// quoted property names, then one quoted row per object.
struct PowerShellCSV {
    /// The object type from `#TYPE` (absent with `-NoTypeInformation` and in PowerShell 7).
    var typeName: String?
    var schema: FieldSchema
    /// 1-based line number of the header.
    var headerLine: Int
    /// The `#TYPE` and header lines as (offset, length, line), for the byte accounting.
    var headerSpans: [(offset: Int, length: Int, line: Int)] = []

    /// Reads the type and header lines, or nil when the text does not start like an `Export-Csv` file.
    init?(_ p: UnsafeRawBufferPointer) {
        var scanner = LineScanner(p)
        var type: String?
        var spans: [(offset: Int, length: Int, line: Int)] = []
        while let (off, len) = scanner.next() {
            let line = UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
            if len == 0 { continue }
            if EventXMLScanner.has(line, 0, "#TYPE ") {
                guard type == nil else { return nil }
                type = String(decoding: line.dropFirst(6), as: UTF8.self)
                spans.append((off, len, scanner.lineNumber))
                continue
            }
            // Export-Csv quotes every header name: anything else is not ours (a cheap test, run on every file).
            guard line[0] == UInt8(ascii: "\"") else { return nil }
            let names = CSVLine.split(line).map { $0.trimmingSpaces() }
            guard names.count >= 2, names.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
            typeName = type
            schema = FieldSchema(format: .csv, names: names)
            headerLine = scanner.lineNumber
            headerSpans = spans + [(off, len, scanner.lineNumber)]
            return
        }
        return nil
    }

    /// Marks the `#TYPE` and header lines as read.
    func consumeHeader(_ output: inout ReaderOutput) {
        for h in headerSpans { output.consumed(offset: h.offset, length: h.length, line: h.line) }
    }

    /// Calls `body` with (line number, offset, length, values, problems) for every data row; empty lines are
    /// skipped, rows with the wrong number of values are reported and still passed on.
    func rows(_ p: UnsafeRawBufferPointer, problems: inout ProblemLog,
              _ body: (Int, Int, Int, [String], inout ProblemLog) -> Void) {
        var scanner = LineScanner(p)
        let expected = schema.names.count
        while let (off, len) = scanner.next() {
            if scanner.lineNumber <= headerLine || len == 0 { continue }
            let line = UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
            LineChecks.check(line, number: scanner.lineNumber, problems: &problems)
            var (values, broken) = CSVLine.splitNoting(line)
            if let k = broken {
                // Where the broken value and the ones after it end is not known: only those before it are passed on.
                values = Array(values.prefix(k))
                problems.add(CSVLine.brokenQuote(k, names: schema.names, line: scanner.lineNumber), kind: "broken quote")
            } else if values.count != expected {
                problems.add(LoadProblem(line: scanner.lineNumber,
                                         "line \(scanner.lineNumber): \(values.count) values for \(expected) columns (kept)"),
                             kind: "wrong value count")
            }
            body(scanner.lineNumber, off, len, values, &problems)
        }
    }

    /// The culture's day/month order, decided from every value of `columns` in the file (a first pass over
    /// it), or as `given`; a note of how it was decided goes to `problems` (`PowerShellTime.decideExplained`).
    func dateOrder(_ p: UnsafeRawBufferPointer, columns: [Int], given: PowerShellTime.DateOrder?,
                   problems: inout ProblemLog) -> PowerShellTime.DateOrder {
        var sample: [String] = []
        var ignored = ProblemLog()
        rows(p, problems: &ignored) { _, _, _, values, _ in
            for c in columns where c < values.count { sample.append(values[c]) }
        }
        let decided = PowerShellTime.decideExplained(sample, given: given)
        if let note = decided.note { problems.add(LoadProblem(note), kind: ProblemLog.dateOrderKind) }
        return decided.order
    }
}

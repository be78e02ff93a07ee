/// File listings and hash lists collected with PowerShell.
extension SourceKind {
    /// `Get-ChildItem -Recurse | Export-Csv`: one event per file or folder.
    public static let fileListing = SourceKind("file-listing")
    /// `Get-FileHash | Export-Csv`: one event per hashed file.
    public static let fileHash = SourceKind("file-hash")
}

/// Reads `Get-ChildItem -Recurse | Export-Csv` output (with or without the `#TYPE` line): one event per row,
/// timed by `LastWriteTimeUtc` (else `LastWriteTime`, `CreationTimeUtc`, `CreationTime`), with the full path
/// interned as `url_stem` so path indicators (`\aspnet_client\…`, `lsass*.dmp`) match it like a URL.
/// Every column stays readable from the row (`CreationTimeUtc`, `Length`, `Mode`, …).
///
/// `Get-ChildItem`'s default table (`dir > listing.txt`: `PowerShellTable`) is the same listing: each row becomes
/// a line of `FullName`, `Mode`, `LastWriteTime`, `Length` and `Name` (the folder of its `Directory:` block
/// joined to its name), read like an `Export-Csv` row of those columns.
///
/// Times in the exporting culture's format are read with the day/month order decided for the whole file
/// (`PowerShellTime.decide`), recorded as the fact `listing.date-order`. `LastWriteTime` and `CreationTime`
/// (without `Utc`) are the collecting machine's local time (`LocalTimes`: `load --local-time ZONE`).
public struct FileListingReader: EvidenceReader {
    public init() {}
    public var name: String { "file-listing" }
    public var readsText: Bool { true }

    static let timeColumns = ["LastWriteTimeUtc", "LastWriteTime", "CreationTimeUtc", "CreationTime"]

    /// A UTC time column of a row of `file` (`CreationTimeUtc`), read as the reader read the row's own time: ISO,
    /// or the culture form in the date order decided for the file. For summaries that show it in the session's
    /// zone, labelled as such, rather than as the listing wrote it (`3/3/2021 7:18:02 AM`, no zone said).
    public static func utcTime(_ value: String, in file: EvidenceFile) -> Int64? {
        PowerShellTime.parse(value, order: file.facts["listing.date-order"].flatMap(DateOrder.init(rawValue:)) ?? .monthFirst)
    }

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        guard let csv = PowerShellCSV(head), csv.schema.column("FullName") != nil else {
            return PowerShellTable.recognises(head) ? 80 : 0
        }
        if csv.typeName?.contains("System.IO.") == true { return 90 }
        return Self.timeColumns.contains(where: { csv.schema.column($0) != nil }) || csv.schema.column("Length") != nil ? 85 : 0
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .fileListing
        let p = input.bytes
        guard let csv = PowerShellCSV(p), let pathColumn = csv.schema.column("FullName") else {
            if PowerShellTable.recognises(UnsafeRawBufferPointer(rebasing: p.prefix(65536))) {
                readTable(input, into: &output)
            } else {
                output.problems.add(LoadProblem("no Export-Csv header with a FullName column"))
            }
            return
        }
        let schema = output.batch.addSchema(csv.schema)
        csv.consumeHeader(&output)
        let timeColumn = Self.timeColumns.lazy.compactMap { csv.schema.column($0) }.first
        if let t = csv.typeName { output.facts["listing.type"] = t }

        // First pass: the culture's day/month order, from all time values of the file.
        var order = PowerShellTime.DateOrder.monthFirst
        if let timeColumn {
            let others = Self.timeColumns.compactMap(csv.schema.column).filter { $0 != timeColumn }
            order = csv.dateOrder(p, columns: [timeColumn] + others, given: input.dateOrder, problems: &output.problems)
            output.facts["listing.date-order"] = order.rawValue
        }

        let localName = timeColumn.map { csv.schema.names[$0] }.flatMap { $0.hasSuffix("Utc") ? nil : $0 }
        var local = LocalTimes(zone: input.localTimeZone)
        csv.rows(p, problems: &output.problems) { line, off, len, values, problems in
            let time = timeColumn.map { Self.time(values, $0, line: line, order: order, localName: localName, local: &local, problems: &problems) }
                ?? Timestamp.unknown
            // A row cut short (broken quoting: `PowerShellCSV.rows`) names only the columns it has, so rules reading the
            // row's fields see none of the rest, as they see none of its values.
            let rowSchema = values.count < csv.schema.names.count ? output.batch.addSchema(csv.schema.cutOff(after: values.count)) : schema
            output.batch.append(offset: off, length: len, line: line, time: time, schema: rowSchema)
            if pathColumn < values.count { output.batch.set(.urlStem, values[pathColumn]) }
        }
        local.record(into: &output)
    }

    /// The time of a row from its `column`, in the file's date `order`; a column without `Utc` (`localName`) is
    /// the collecting machine's local time. An unreadable value is named in `problems`.
    static func time(_ values: [String], _ column: Int, line: Int, order: DateOrder, localName: String?,
                     local: inout LocalTimes, problems: inout ProblemLog) -> Int64 {
        guard column < values.count, !values[column].isEmpty else { return Timestamp.unknown }
        guard let t = PowerShellTime.parse(values[column], order: order) else {
            problems.add(LoadProblem(line: line, "line \(line): unreadable time \"\(values[column])\""), kind: "unreadable time")
            return Timestamp.unknown
        }
        if let localName, !PowerShellTime.isUTC(values[column]) { return local.utc(t, column: localName) }
        return t
    }

    /// `Get-ChildItem`'s table: each row rendered as a line of its named values (the events point into that
    /// text), timed by `LastWriteTime` (local time, in the culture's date order decided from the whole file).
    private func readTable(_ input: ReaderInput, into output: inout ReaderOutput) {
        let table = PowerShellTable(input.bytes)
        for l in table.layout { output.consumed(offset: l.offset, length: l.length, line: l.line) }
        let times = table.rows.map { $0.values[2] }
        let decided = PowerShellTime.decideExplained(times, given: input.dateOrder)
        if let note = decided.note { output.problems.add(LoadProblem(note), kind: ProblemLog.dateOrderKind) }
        output.facts["listing.date-order"] = decided.order.rawValue
        output.facts["listing.type"] = "Get-ChildItem table"
        var rendered: [UInt8] = []
        let schema = output.batch.addSchema(FieldSchema(format: .keyValue, names: []))
        let plain = output.batch.addSchema(FieldSchema.plain)
        var local = LocalTimes(zone: input.localTimeZone)
        // In line order: rows, and lines of no known part of a block (text before the first `Directory:`, a row
        // without a time), which are kept as they are and named.
        let order = (table.rows.map { ($0.line, true, $0) } + table.unread.map { u in
            (u.line, false, PowerShellTable.Row(values: [], line: u.line, spans: [u]))
        }).sorted { $0.0 < $1.0 }
        for (_, isRow, row) in order {
            for s in row.spans {
                LineChecks.check(UnsafeRawBufferPointer(rebasing: input.bytes[s.offset..<(s.offset + s.length)]), number: s.line, problems: &output.problems)
                output.consumed(offset: s.offset, length: s.length, line: s.line)
            }
            let at = rendered.count
            if !isRow {
                let s = row.spans[0], line = UnsafeRawBufferPointer(rebasing: input.bytes[s.offset..<(s.offset + s.length)])
                output.problems.add(LoadProblem(line: s.line, "line \(s.line): not a row of Get-ChildItem's table (kept as text)"), kind: "not a table row")
                rendered.append(contentsOf: line)
                output.batch.append(offset: at, length: s.length, line: s.line, time: LineChecks.leadingTime(line), schema: plain)
                rendered.append(0x0A)
                continue
            }
            if row.values[4].hasSuffix("...") || row.values[4].hasSuffix("\u{2026}") {
                output.problems.add(LoadProblem(line: row.line, "line \(row.line): name cut off by the table's width (\"\(row.values[4])\"): "
                                                + "the listing does not hold the whole path; list it again with Export-Csv or Format-Table -Wrap"),
                                    kind: "name cut off")
            }
            let time = Self.time(row.values, 2, line: row.line, order: decided.order, localName: "LastWriteTime", local: &local,
                                 problems: &output.problems)
            KeyValueWriter.append(Array(zip(PowerShellTable.names, row.values)), to: &rendered)
            output.batch.append(offset: at, length: rendered.count - at, line: row.line, time: time, schema: schema)
            output.batch.set(.urlStem, row.values[0])
            rendered.append(0x0A)
        }
        local.record(into: &output)
        output.rendered = rendered
    }
}

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
        guard let csv = PowerShellCSV(head), csv.schema.column("FullName") != nil else { return 0 }
        if csv.typeName?.contains("System.IO.") == true { return 90 }
        return Self.timeColumns.contains(where: { csv.schema.column($0) != nil }) || csv.schema.column("Length") != nil ? 85 : 0
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .fileListing
        let p = input.bytes
        guard let csv = PowerShellCSV(p), let pathColumn = csv.schema.column("FullName") else {
            output.problems.add(LoadProblem("no Export-Csv header with a FullName column"))
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
            var time = Timestamp.unknown
            if let timeColumn, timeColumn < values.count, !values[timeColumn].isEmpty {
                if let t = PowerShellTime.parse(values[timeColumn], order: order) {
                    time = t
                    if let localName, !PowerShellTime.isUTC(values[timeColumn]) { time = local.utc(t, column: localName) }
                } else {
                    problems.add(LoadProblem(line: line, "line \(line): unreadable time \"\(values[timeColumn])\""),
                                 kind: "unreadable time")
                }
            }
            // A row cut short (broken quoting: `PowerShellCSV.rows`) names only the columns it has, so rules reading the
            // row's fields see none of the rest, as they see none of its values.
            let rowSchema = values.count < csv.schema.names.count ? output.batch.addSchema(csv.schema.cutOff(after: values.count)) : schema
            output.batch.append(offset: off, length: len, line: line, time: time, schema: rowSchema)
            if pathColumn < values.count { output.batch.set(.urlStem, values[pathColumn]) }
        }
        local.record(into: &output)
    }
}

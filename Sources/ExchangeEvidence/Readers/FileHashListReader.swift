/// Reads `Get-FileHash | Export-Csv` output (`Algorithm`, `Hash`, `Path`, with or without `#TYPE`):
/// one event per row, no time (a hash list says nothing about when), the path interned as `url_stem`
/// like file listings so the same path rules apply; `Hash` is read from the row.
public struct FileHashListReader: EvidenceReader {
    public init() {}
    public var name: String { "file-hash" }
    public var readsText: Bool { true }

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        guard let csv = PowerShellCSV(head),
              csv.schema.column("Algorithm") != nil, csv.schema.column("Hash") != nil, csv.schema.column("Path") != nil
        else { return 0 }
        return 85
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .fileHash
        let p = input.bytes
        guard let csv = PowerShellCSV(p), let pathColumn = csv.schema.column("Path"), let hashColumn = csv.schema.column("Hash")
        else {
            output.problems.add(LoadProblem("no Export-Csv header with Hash and Path columns"))
            return
        }
        let schema = output.batch.addSchema(csv.schema)
        csv.consumeHeader(&output)
        if let t = csv.typeName { output.facts["listing.type"] = t }
        csv.rows(p, problems: &output.problems) { line, off, len, values, problems in
            output.batch.append(offset: off, length: len, line: line, time: Timestamp.unknown, schema: schema)
            if pathColumn < values.count { output.batch.set(.urlStem, values[pathColumn]) }
            if hashColumn >= values.count || values[hashColumn].isEmpty {
                problems.add(LoadProblem(line: line, "line \(line): no hash (file locked or unreadable when collected?)"),
                             kind: "no hash")
            }
        }
    }
}

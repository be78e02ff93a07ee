import Foundation

/// SIEM exports whose events each hold one line of a web log (Splunk's `_raw` of an `ms:iis:*` or
/// `MSExchange:*:HttpProxy` source): an IIS W3C line of IIS's default field set, or an HttpProxy or ECP CSV line
/// of a known column set (`KnownColumnSets`), as the log would hold it without its header. Each is read by its log
/// reader's own line code, so it becomes the event its log file gives (the same fields, of that log's kind, seen by
/// the web rules), cited by the export's line.
struct RawWebLine {
    private var scan = SeparatorScan()
    private var buildBytes: [UInt8] = []
    /// The log readers count the servers a log's first lines name; an export names each row's server itself (its
    /// `host`), so these counts are not used.
    private var servers = ServerTally(), addresses = ServerTally()
    /// Column sets already named in a problem: said once per file, at the first line read with each.
    private var named: Set<String> = []

    func deallocate() { scan.deallocate() }

    /// Reads `raw` (kept at `offset` of the reader's text) as the event of export line `line`, and returns its
    /// log's kind and channel (from the log's path in `source`: the IIS site, the HttpProxy protocol folder); nil,
    /// with nothing appended, when it is not one line of a known column set.
    mutating func read(_ raw: UnsafeRawBufferPointer, offset: Int, line: Int, source: String,
                       out: inout ReaderOutput) -> (kind: SourceKind, channel: String)? {
        guard !raw.isEmpty, !raw.contains(0x0A) else { return nil }
        let path = source.replacingOccurrences(of: "\\", with: "/")
        if KnownColumnSets.fitsIISDefault(raw) {
            note("IIS's default W3C field set (" + KnownColumnSets.iisDefault.joined(separator: " ") + ")", line, &out)
            let layout = IISW3CLine(IISW3CReader.schema(KnownColumnSets.iisDefault), batch: &out.batch)
            layout.read(raw, offset: offset, lineNo: line, unterminated: false, scan: &scan,
                        servers: &servers, addresses: &addresses, out: &out)
            return (.iis, IISW3CReader.site(path) ?? "")
        }
        guard let known = KnownColumnSets.exchangeColumns(CSVLine.split(raw)) else { return nil }
        note(known.label, line, &out)
        let (schema, mapping) = ExchangeCSVReader.mapped(known.names, format: known.names == KnownColumnSets.ecpExcerpt ? .csvTail : .csv)
        ExchangeCSVReader.readLine(raw, offset: offset, lineNo: line, unterminated: false, schema: schema,
                                   schemaIndex: out.batch.addSchema(schema), mapping: mapping, scan: &scan,
                                   buildBytes: &buildBytes, servers: &servers, out: &out)
        // As the log reader decides it: the folder the log was in, else what the columns say.
        let byPath = ExchangeCSVReader.kind(forPath: path, logType: nil)
        return (byPath != .exchangeLog ? byPath : known.kind ?? .ecpServer, ExchangeCSVReader.channel(forPath: path))
    }

    /// Appends `raw` (one export row's log line) to `rendered` and reads it there (`read`), ending it with a line feed;
    /// nil, with `rendered` as it was, when it is no line of a known column set.
    mutating func append(_ raw: String, source: String, line: Int, rendered: inout [UInt8], out: inout ReaderOutput)
        -> (kind: SourceKind, channel: String)? {
        let at = rendered.count
        rendered.append(contentsOf: raw.utf8)
        let read = rendered.withUnsafeBytes {
            self.read(UnsafeRawBufferPointer(rebasing: $0[at...]), offset: at, line: line, source: source, out: &out)
        }
        guard read != nil else {
            rendered.removeLast(rendered.count - at)
            return nil
        }
        rendered.append(0x0A)
        return read
    }

    /// Says once per column set that the export's lines came without their log's header, as the log readers say
    /// it of an excerpt.
    private mutating func note(_ label: String, _ line: Int, _ out: inout ReaderOutput) {
        guard named.insert(label).inserted else { return }
        out.problems.add(LoadProblem(line: line, "line \(line): the export's raw events are log lines without their header; read as \(label)"))
    }
}

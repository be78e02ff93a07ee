import Foundation

/// SIEM exports of web logs as CSV: Splunk's CSV export of raw events (a `_raw` column holding each IIS or
/// HttpProxy/ECP line, beside `host` and `source`), and a table `mappings/web-export-fields.tsv` names, such as
/// Sentinel's `W3CIISLog` exported from the Log Analytics portal (`TimeGenerated [UTC]`, `csUriStem`, `cIP`, …).
/// Each row becomes the event its log line gives (`RawWebLine`, `WebRecordLine`), filed under the server the
/// row names; other rows are kept as records and reported.
///
/// Rows are single lines: a value with a line break inside its quotes (a classic event's message) breaks the
/// row, which is reported and kept as text.
public struct SIEMCSVReader: EvidenceReader {
    public init() {}
    public var name: String { "siem-csv" }
    public var readsText: Bool { true }

    /// Rows that are neither a web line nor a request of a known export.
    static let recordKind = SourceKind("csv")

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        var scanner = LineScanner(head)
        // Every file is scored: a log's directive (`#Software`), JSON or XML is rejected before any text is made.
        guard let first = Self.nextLine(&scanner, head), let c = first.first, c != UInt8(ascii: "#"), c != UInt8(ascii: "{"),
              c != UInt8(ascii: "["), c != UInt8(ascii: "<"), first.contains(UInt8(ascii: ",")) else { return 0 }
        let header = Self.names(first)
        guard header.count >= 2 else { return 0 }
        if header.contains("_raw") { return 85 }
        // The head's first rows: a union query's export may begin with another table's rows (reviewer).
        var rows = 0
        while rows < 16, let row = Self.nextLine(&scanner, head).map({ CSVLine.split($0) }) {
            if Self.family(header, row) != nil { return 85 }
            rows += 1
        }
        return 0
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        let p = input.bytes
        var scanner = LineScanner(p)
        var state = State()
        defer { state.webLines.deallocate(); state.webRecords.deallocate() }
        guard let (hOff, hLen) = Self.nextNonEmpty(&scanner) else { return }
        let headerLine = scanner.lineNumber
        out.consumed(offset: hOff, length: hLen, line: headerLine)
        let written = CSVLine.split(UnsafeRawBufferPointer(rebasing: p[hOff..<(hOff + hLen)]))
        let header = written.map(Self.cleanName), columns = Columns(header)
        let rawColumn = header.firstIndex(of: "_raw")
        let order = rawColumn == nil ? dateOrder(p, after: scanner, columns: columns, given: input.dateOrder, problems: &out.problems) : .monthFirst
        // A column the portal exported in the browser's time (`TimeGenerated [Local Time]`) is converted with
        // `--local-time`, or read as UTC with the guess said as for any local time (reviewer: said only in a problem).
        let localColumns = Set(zip(written, header).filter { $0.0.contains("[") && !$0.0.hasSuffix("[UTC]") }.map(\.1))
        var local = LocalTimes(zone: input.localTimeZone)
        let recordSchema = out.batch.addSchema(FieldSchema(format: .keyValue, names: []))
        while let (off, len) = scanner.next() {
            guard len > 0 else { continue }
            let lineNo = scanner.lineNumber
            let bytes = UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
            out.consumed(offset: off, length: len, line: lineNo)
            var (values, broken) = CSVLine.splitNoting(bytes)
            if let k = broken {
                values = Array(values.prefix(k))
                out.problems.add(CSVLine.brokenQuote(k, names: header, line: lineNo), kind: "broken quote")
            } else if values.count != header.count {
                out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): \(values.count) values under a header of \(header.count)"), kind: "field count")
            }
            let value = columns.lookup(values)
            if let rawColumn, rawColumn < values.count,
               let (kind, channel) = state.webLines.append(values[rawColumn], source: value("source") ?? "", line: lineNo, rendered: &state.rendered, out: &out) {
                state.tally.file(host: value("host") ?? "", channel: channel, kind: kind, eventCount: out.batch.count)
                continue
            }
            if rawColumn == nil, let family = WebExportFields.shipped.family(of: value) {
                var time: Int64?
                for name in family.names("date-time") {
                    guard let text = value(name) else { continue }
                    if let t = PowerShellTime.parse(text, order: order) {
                        time = localColumns.contains(name) && !PowerShellTime.isUTC(text) ? local.utc(t, column: name) : t
                        break
                    }
                    // Kibana's default form is in the browser's zone, which the file does not name (reviewer: rows undated).
                    if let t = KibanaTime.parse(text) {
                        time = local.utc(t, column: name)
                        break
                    }
                }
                let (server, site) = state.webRecords.read(family, time: time, value: value, line: lineNo, rendered: &state.rendered, out: &out)
                state.tally.file(host: server, channel: site, kind: .iis, eventCount: out.batch.count)
                continue
            }
            state.addRecord(header, values, value: value, line: lineNo, schema: recordSchema, out: &out)
        }
        local.record(into: &out)
        out.rendered = state.rendered
        out.kind = state.tally.mostCommonKind(otherwise: Self.recordKind)
        out.channel = EvtxReader.mostCommon(state.tally.channels) ?? ""
        if let host = EvtxReader.mostCommon(state.tally.computers), !host.isEmpty { out.facts["server"] = String(host.prefix { $0 != "." }) }
        out.file(byRows: state.tally.rows, serversFact: "csv.servers")
        if state.tally.kinds[.iis] != nil || state.tally.kinds[.httpProxy] != nil { out.facts[RepeatedCopies.exportedFact] = "csv" }
    }

    /// The day/month order of the file's culture-formatted times (a portal export writes the browser's form).
    private func dateOrder(_ p: UnsafeRawBufferPointer, after scanner: LineScanner, columns: Columns, given: DateOrder?,
                           problems: inout ProblemLog) -> DateOrder {
        var rows = scanner, times: [String] = []
        while let (off, len) = rows.next() {
            let value = columns.lookup(CSVLine.split(UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])))
            guard let family = WebExportFields.shipped.family(of: value) else { continue }
            times += family.names("date-time").compactMap(value)
        }
        let decided = PowerShellTime.decideExplained(times, given: given)
        if let note = decided.note { problems.add(LoadProblem(note), kind: ProblemLog.dateOrderKind) }
        return decided.order
    }

    /// A header name as the rules' table names it: without the portal's ` [UTC]` suffix or surrounding spaces.
    static func cleanName(_ name: String) -> String {
        var n = name.trimmingSpaces()
        if n.hasSuffix("]"), let open = n.lastIndex(of: "[") { n = String(n[..<open]).trimmingSpaces() }
        return n
    }

    static func names(_ line: UnsafeRawBufferPointer) -> [String] { CSVLine.split(line).map(cleanName) }

    /// A header's names, each standing for its first column: a row's values are looked up by name.
    struct Columns {
        private let index: [String: Int]

        init(_ names: [String]) {
            var index: [String: Int] = [:]
            for (k, name) in names.enumerated() where index[name] == nil { index[name] = k }
            self.index = index
        }

        /// `row`'s value of a column, by name; nil for a name the header lacks or a row too short for it.
        func lookup(_ row: [String]) -> (String) -> String? {
            { name in index[name].flatMap { $0 < row.count ? row[$0] : nil } }
        }
    }

    /// The export a header and a row under it are one of.
    static func family(_ header: [String], _ row: [String]) -> WebExportFields.Family? {
        WebExportFields.shipped.family(of: Columns(header).lookup(row))
    }

    static func nextNonEmpty(_ scanner: inout LineScanner) -> (offset: Int, length: Int)? {
        while let (off, len) = scanner.next() { if len > 0 { return (off, len) } }
        return nil
    }

    static func nextLine(_ scanner: inout LineScanner, _ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let (off, len) = nextNonEmpty(&scanner), !scanner.lastLineUnterminated || len > 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
    }

    /// What the rows made: the text events point into, and the servers, channels and kinds they named.
    private struct State {
        var rendered: [UInt8] = []
        var webLines = RawWebLine()
        var webRecords = WebRecordLine()
        var tally = ExportRows()

        /// Keeps a row of no known kind as a `name=value` record, and says so.
        mutating func addRecord(_ header: [String], _ values: [String], value: (String) -> String?, line: Int, schema: UInt16,
                                out: inout ReaderOutput) {
            out.problems.add(LoadProblem(line: line, "line \(line): a row that is no web log line nor request (kept as a record)"), kind: "not an event")
            let pairs = zip(header, values).map { ($0.replacingOccurrences(of: "=", with: "_"), $1) }
            let at = rendered.count
            KeyValueWriter.append(pairs, to: &rendered)
            var time = Timestamp.unknown
            for name in ["_time", "TimeGenerated", "@timestamp"] { if let t = value(name).flatMap(Timestamp.parse) { time = t; break } }
            out.batch.append(offset: at, length: rendered.count - at, line: line, time: time, schema: schema)
            rendered.append(0x0A)
            tally.rows.set(server: "", channel: "", kind: SIEMCSVReader.recordKind, eventCount: out.batch.count)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

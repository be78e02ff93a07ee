/// Reads Exchange's CSV logs: HttpProxy (every protocol folder), ECP Server and Activity, OAB generator,
/// and any other log with `#Software/#Version/#Log-type/#Date/#Fields` directives.
///
/// Columns are mapped by their `#Fields` names, never by position, and a new `#Fields` line mid-file
/// starts a new schema. A bare CSV header repeating the field list (what `Import-Csv` relies on) is skipped.
public struct ExchangeCSVReader: EvidenceReader {
    public init() {}
    public var name: String { "exchange-csv" }
    public var readsText: Bool { true }

    static let aliases: [InternedField: [String]] = [
        .clientIP: ["ClientIpAddress", "ClientIp", "ClientIPAddress"],
        .userAgent: ["UserAgent"],
        .urlStem: ["UrlStem"],
        .method: ["Method"],
        .status: ["HttpStatus"],
        .user: ["AuthenticatedUser"],
        .anchorMailbox: ["AnchorMailbox"],
    ]
    static let timeNames = ["DateTime", "TimeStamp", "Timestamp", "date-time"]
    static let schemas = SchemaCache<FieldMapping>()
    static let serverNames = ["ServerHostName", "ServerName"]

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        let h = UnsafeRawBufferPointer(rebasing: head.prefix(4096))
        if ByteSearch.contains(h, "#Software: Microsoft Exchange") { return 90 }
        if let fields = Directive.fields(in: h), fields.contains(",") {
            return ByteSearch.contains(h, "#Log-type:") ? 80 : 75
        }
        // A headerless export that starts with the bare CSV header of an Exchange log.
        if ByteSearch.hasPrefix(h, "DateTime,RequestId,") || ByteSearch.hasPrefix(h, "TimeStamp,ServerName,") { return 60 }
        // A bare header naming a request's columns (an advisory's or SIEM's excerpt: DateTime,ClientIpAddress,UrlStem,…).
        if let first = IISW3CReader.firstDataLine(head), let names = KnownColumnSets.bareHeader(first),
           KnownColumnSets.kind(ofHeader: names) != nil { return 60 }
        // Lines without any header that fit a known column set (advisory excerpts).
        if let first = IISW3CReader.firstDataLine(head), KnownColumnSets.exchangeColumns(CSVLine.split(first)) != nil { return 60 }
        // An Exchange logging folder whose file lost its header: still ours, so the problem is reported.
        let p = path.lowercased()
        if (p.contains("/httpproxy/") || p.contains("/ecp/server/") || p.contains("/ecp/activity/")) && ByteSearch.contains(h, ",") {
            return 20
        }
        return 0
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        out.kind = Self.kind(forPath: input.path, logType: nil)
        out.channel = Self.channel(forPath: input.path)
        var scanner = LineScanner(input.bytes)
        var schema: FieldSchema?
        var schemaIndex: UInt16 = 0
        var mapping: FieldMapping?
        var fieldLine: [UInt8] = []
        var scan = SeparatorScan()
        defer { scan.deallocate() }
        var buildBytes: [UInt8] = []
        buildBytes.reserveCapacity(32)
        var servers = ServerTally()
        let plain = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        let base = input.bytes
        var triedKnownSets = false
        func adopt(_ sm: (FieldSchema, FieldMapping)) {
            schema = sm.0
            schemaIndex = out.batch.addSchema(sm.0)
            mapping = sm.1
            fieldLine = sm.1.headerLine
        }

        while let (off, len) = scanner.next() {
            let lineNo = scanner.lineNumber
            if len == 0 { continue }
            let line = UnsafeRawBufferPointer(rebasing: base[off..<(off + len)])
            if line[0] == UInt8(ascii: "#") {
                LineChecks.check(line, number: lineNo, problems: &out.problems)
                let directive = Directive(line)
                if directive?.isKnown == true { out.consumed(offset: off, length: len, line: lineNo) }
                switch directive {
                case let d? where d.name == "Fields":
                    if scanner.lastLineUnterminated {
                        out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): #Fields header cut off (file ends mid-line)"),
                                         kind: "cut-off header")
                    }
                    adopt(Self.schemas.get(d.value) {
                        let s = FieldSchema(format: .csv, names: CSVLine.split(d.value).map { $0.trimmingSpaces() })
                        return (s, FieldMapping(s, aliases: Self.aliases, timeNames: Self.timeNames, serverNames: Self.serverNames))
                    })
                case let d? where d.name == "Log-type":
                    out.kind = Self.kind(forPath: input.path, logType: d.value)
                    out.facts["log.type"] = d.value
                case let d? where d.name == "Version": out.facts["exchange.version"] = d.value
                case let d? where d.name == "Software": out.facts["software"] = d.value
                case let d? where d.isKnown: break
                default:
                    let (problem, kind) = Directive.unknown(lineNo, line)
                    out.problems.add(problem, kind: kind)
                    out.batch.append(offset: off, length: len, line: lineNo, time: LineChecks.leadingTime(line), schema: plain)
                }
                continue
            }
            if schema == nil {
                LineChecks.check(line, number: lineNo, problems: &out.problems)
                // No #Fields yet: adopt a bare CSV header line as the schema (headerless exports).
                if let names = KnownColumnSets.bareHeader(line) {
                    adopt(Self.mapped(CSVLine.split(line).map { $0.trimmingSpaces() }))
                    if out.kind == .exchangeLog, let kind = KnownColumnSets.kind(ofHeader: names) { out.kind = kind }
                    out.consumed(offset: off, length: len, line: lineNo)
                    continue
                }
                // No header at all: a known column set the line fits (checked on the first data line only).
                if !triedKnownSets, let known = KnownColumnSets.exchangeColumns(CSVLine.split(line)) {
                    out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no #Fields header; read as \(known.label)"))
                    if out.kind == .exchangeLog { out.kind = known.kind ?? .ecpServer }
                    adopt(Self.mapped(known.names, format: known.names == KnownColumnSets.ecpExcerpt ? .csvTail : .csv))
                }
                triedKnownSets = true
            }
            if schema == nil {
                let (problem, kind) = Directive.dataBeforeFields(lineNo)
                out.problems.add(problem, kind: kind)
                out.batch.append(offset: off, length: len, line: lineNo, time: LineChecks.leadingTime(line), schema: plain)
                continue
            }
            // The bare header that Import-Csv relies on, repeated after the directives.
            if len == fieldLine.count && fieldLine.withUnsafeBytes({ memcmp($0.baseAddress!, line.baseAddress!, len) == 0 }) {
                out.consumed(offset: off, length: len, line: lineNo)
                continue
            }
            Self.readLine(line, offset: off, lineNo: lineNo, unterminated: scanner.lastLineUnterminated, schema: schema!,
                          schemaIndex: schemaIndex, mapping: mapping!, scan: &scan, buildBytes: &buildBytes, servers: &servers, out: &out)
        }
        if let server = servers.leader { out.facts["server"] = server }
        if schema == nil && out.batch.count == 0 {
            out.problems.add(LoadProblem("no #Fields header and no data lines"))
        }
    }

    /// Reads one data line under `schema` (at `schemaIndex` in the batch, mapped by `m`) into an event: the split,
    /// a line cut off by the end of the text (`unterminated`), quoted values. The file's loop and SIEM exports
    /// whose events each hold one HttpProxy or ECP line (`RawWebLine`) share it, so a line gives the same event
    /// wherever it was found. Servers named in the first `ServerTally.lines` lines are counted into `servers`.
    static func readLine(_ line: UnsafeRawBufferPointer, offset off: Int, lineNo: Int, unterminated: Bool,
                         schema: FieldSchema, schemaIndex: UInt16, mapping m: FieldMapping, scan: inout SeparatorScan,
                         buildBytes: inout [UInt8], servers: inout ServerTally, out: inout ReaderOutput) {
        let n = schema.names.count
        scan.scan(line, separator: 0x2C, locating: m.span)
        LineChecks.report(line, number: lineNo, highBit: scan.hasHighBit, lowByte: scan.hasLowByte, problems: &out.problems)
        // A line cut off by the end of the file (a live log collected): its last value is partial and must not
        // reach rules or indicators (a half IP, a cut user agent); the whole values before it are read. With
        // a quote in it, where values end is not certain: kept as text.
        if unterminated && scan.fields < n {
            ExchangeCSVReader.reportFieldCount(scan.fields, n, lineNo, unterminated: true, keptAsText: scan.hasQuote, &out.problems)
            if scan.hasQuote {
                out.batch.append(offset: off, length: line.count, line: lineNo, time: LineChecks.leadingTime(line),
                                 schema: out.batch.addSchema(FieldSchema.plain))
                return
            }
            let complete = scan.fields - 1
            var t = LineChecks.leadingTime(line)
            if m.time >= 0, m.time < complete, let v = scan.field(m.time, of: line), let parsed = Timestamp.parse(v) { t = parsed }
            out.batch.append(offset: off, length: line.count, line: lineNo, time: t, schema: out.batch.addSchema(schema.cutOff(after: complete)))
            for (field, column) in m.interned where column < complete {
                if let v = scan.field(column, of: line), v.count > 0 { out.batch.set(field, v) }
            }
            return
        }
        // A quote, or commas inside a last column that takes the rest of the line: the full split.
        if scan.hasQuote || (schema.format == .csvTail && scan.fields > n) {
            readQuoted(line, off: off, lineNo: lineNo, m: m, columns: n, schemaIndex: schemaIndex, out: &out,
                       unterminated: unterminated, servers: &servers, limit: schema.format == .csvTail ? n : .max)
            return
        }
        var t = Timestamp.unknown
        if let v = scan.field(m.time, of: line), let parsed = Timestamp.parse(v) { t = parsed }
        else { out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no readable timestamp"), kind: "no readable timestamp") }
        out.batch.append(offset: off, length: line.count, line: lineNo, time: t, schema: schemaIndex)
        for (field, column) in m.interned {
            if let v = scan.field(column, of: line), v.count > 0 { out.batch.set(field, v) }
        }
        if !m.buildParts.isEmpty, build(m.buildParts, scan, line, into: &buildBytes) {
            buildBytes.withUnsafeBytes { out.batch.set(.serverBuild, $0) }
        }
        if lineNo < ServerTally.lines, m.server >= 0, let v = scan.field(m.server, of: line) { servers.count(v) }
        if scan.fields != n { reportFieldCount(scan.fields, n, lineNo, unterminated: unterminated, &out.problems) }
    }

    static func mapped(_ names: [String], format: LineFormat = .csv) -> (FieldSchema, FieldMapping) {
        schemas.get((format == .csv ? "" : "tail:") + names.joined(separator: ",")) {
            let s = FieldSchema(format: format, names: names)
            return (s, FieldMapping(s, aliases: aliases, timeNames: timeNames, serverNames: serverNames))
        }
    }

    /// `keptAsText`: a line cut off whose values were not read at all (otherwise all but the cut one are).
    static func reportFieldCount(_ got: Int, _ want: Int, _ lineNo: Int, unterminated: Bool, keptAsText: Bool = false,
                                 _ problems: inout ProblemLog) {
        if unterminated && got < want {
            let how = keptAsText ? "kept as text" : got > 1 ? "the last value is cut off and not read" : "its one value is cut off and not read"
            problems.add(LoadProblem(line: lineNo, "line \(lineNo): truncated (\(got) of \(want) fields, file ends mid-line; \(how))"),
                         kind: "truncated last line")
        } else {
            problems.add(LoadProblem(line: lineNo, "line \(lineNo): \(got) fields where the header has \(want) (kept)"),
                         kind: "wrong field count")
        }
    }

    /// Joins the four version columns with dots into `out` (no Strings on the hot path).
    @inline(__always)
    static func build(_ columns: [Int], _ scan: SeparatorScan, _ line: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        for (i, c) in columns.enumerated() {
            guard let p = scan.field(c, of: line), p.count > 0, p.count < 8 else { return false }
            if i > 0 { out.append(0x2E) }
            out.append(contentsOf: p)
        }
        return true
    }

    /// Slow path for lines with quotes (rare in HttpProxy logs, common in ECP EventData).
    private static func readQuoted(_ line: UnsafeRawBufferPointer, off: Int, lineNo: Int, m: FieldMapping, columns n: Int,
                            schemaIndex: UInt16, out: inout ReaderOutput, unterminated: Bool, servers: inout ServerTally,
                            limit: Int) {
        var (values, broken) = CSVLine.splitNoting(line, limit: limit)
        var schema = schemaIndex
        // Broken quoting (a quote that never closes, or closes before its value ends): the values before it are read,
        // it and the ones after it are not (a broken line's user agent holding its neighbours' columns made a finding
        // "from unknown IP").
        if let k = broken {
            values = Array(values.prefix(k))
            out.problems.add(CSVLine.brokenQuote(k, names: out.batch.schemas[Int(schemaIndex)].names, line: lineNo), kind: "broken quote")
            schema = out.batch.addSchema(out.batch.schemas[Int(schemaIndex)].cutOff(after: k))
        }
        var t = Timestamp.unknown
        if m.time >= 0, m.time < values.count, let parsed = Timestamp.parse(values[m.time]) { t = parsed }
        else { out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no readable timestamp"), kind: "no readable timestamp") }
        out.batch.append(offset: off, length: line.count, line: lineNo, time: t, schema: schema)
        for k in 0..<m.columns.count where m.columns[k] >= 0 && m.columns[k] < values.count {
            if !values[m.columns[k]].isEmpty { out.batch.set(InternedField(rawValue: k)!, values[m.columns[k]]) }
        }
        if m.buildParts.count == 4, m.buildParts.allSatisfy({ $0 < values.count }) {
            let parts = m.buildParts.map { values[$0] }
            if parts.allSatisfy({ !$0.isEmpty }) { out.batch.set(.serverBuild, parts.joined(separator: ".")) }
        }
        if lineNo < ServerTally.lines, m.server >= 0, m.server < values.count { servers.count(values[m.server]) }
        if broken == nil && values.count != n { Self.reportFieldCount(values.count, n, lineNo, unterminated: unterminated, &out.problems) }
    }

    /// The kind from `#Log-type`, falling back on the folder the file was collected from.
    static func kind(forPath path: String, logType: String?) -> SourceKind {
        if let t = logType {
            if t.hasPrefixIgnoringASCIICase("httpproxy") { return .httpProxy }
            if t.hasPrefixIgnoringASCIICase("ecp server") { return .ecpServer }
            if t.hasPrefixIgnoringASCIICase("ecp activity") { return .ecpActivity }
            if t.containsIgnoringASCIICase("oab") { return .oabGenerator }
            return .exchangeLog
        }
        if path.containsIgnoringASCIICase("/httpproxy/") { return .httpProxy }
        if path.containsIgnoringASCIICase("/ecp/server/") { return .ecpServer }
        if path.containsIgnoringASCIICase("/ecp/activity/") { return .ecpActivity }
        if path.containsIgnoringASCIICase("oabgeneratorlog") { return .oabGenerator }
        return .exchangeLog
    }

    /// The protocol folder under `HttpProxy` (`Ecp`, `Owa`, …), or the log's folder name.
    static func channel(forPath path: String) -> String {
        // The path's parts as byte ranges (empty ones skipped, as `split` does): this runs for every file.
        withASCIIBytes(path) { u in
            var parts: [Range<Int>] = []
            var start = 0
            for i in 0..<u.count where u[i] == UInt8(ascii: "/") {
                if start < i { parts.append(start..<i) }
                start = i + 1
            }
            if start < u.count { parts.append(start..<u.count) }
            func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: u[r]), as: UTF8.self) }
            let httpProxy = parts.lastIndex { r in
                r.count == 9 && ("httpproxy" as StaticString).withUTF8Buffer { ASCIICase.same(u, r.lowerBound, $0) }
            }
            if let i = httpProxy, i + 1 < parts.count - 1 { return text(parts[i + 1]) }
            return parts.count >= 2 ? text(parts[parts.count - 2]) : ""
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

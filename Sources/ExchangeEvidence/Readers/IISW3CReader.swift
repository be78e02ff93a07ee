/// Reads IIS W3C extended logs (`u_exYYMMDD.log`): space-separated, `-` for empty, `+` for spaces in
/// the User-Agent, and a `#Fields` directive that is re-read whenever a new header block appears mid-file
/// (after every IIS restart).
public struct IISW3CReader: EvidenceReader {
    public init() {}
    public var name: String { "iis-w3c" }
    public var readsText: Bool { true }

    static let aliases: [InternedField: [String]] = [
        .clientIP: ["c-ip"],
        .userAgent: ["cs(User-Agent)"],
        .urlStem: ["cs-uri-stem"],
        .method: ["cs-method"],
        .status: ["sc-status"],
        .user: ["cs-username"],
    ]

    static let schemas = SchemaCache<FieldMapping>()

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        let h = UnsafeRawBufferPointer(rebasing: head.prefix(4096))
        if ByteSearch.contains(h, "#Software: Microsoft Internet Information Services") { return 95 }
        if let fields = Directive.fields(in: h), Self.startsWithDateTime(fields) { return 85 }
        // Lines pasted without their header: IIS's default field set, when the first data line fits it.
        if let first = Self.firstDataLine(head), KnownColumnSets.fitsIISDefault(first) { return 60 }
        return 0
    }

    /// `fields.lowercased().hasPrefix("date time ")`, without lowercasing the 1 KB field list of every HttpProxy
    /// file: when the first 11 bytes are ASCII they decide it byte by byte (no later character can change them).
    static func startsWithDateTime(_ fields: String) -> Bool {
        let u = fields.utf8
        guard u.prefix(11).allSatisfy({ $0 < 0x80 }) else { return fields.lowercased().hasPrefix("date time ") }
        return fields.hasPrefixIgnoringASCIICase("date time ")
    }

    /// The first line of a file's head that is neither empty nor a `#` line; nil when the head (64 KiB) cut it.
    static func firstDataLine(_ h: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var scanner = LineScanner(h)
        while let (off, len) = scanner.next() {
            if len == 0 || h[off] == UInt8(ascii: "#") { continue }
            return scanner.lastLineUnterminated && h.count >= 65536 ? nil : UnsafeRawBufferPointer(rebasing: h[off..<(off + len)])
        }
        return nil
    }

    static func schema(_ names: [String]) -> (FieldSchema, FieldMapping) {
        schemas.get(names.joined(separator: " ")) {
            let s = FieldSchema(format: .w3c, names: names)
            return (s, FieldMapping(s, aliases: aliases, timeNames: [], serverNames: ["s-computername"]))
        }
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        out.kind = .iis
        // The site folder (`W3SVC1`) under the evidence root, else in the path it was read from (a log loaded
        // on its own, or a zip member: `ZIP!/…/W3SVC1/u_ex….log`).
        func site(_ path: String) -> String? { path.split(separator: "/").last { $0.uppercased().hasPrefix("W3SVC") }.map(String.init) }
        out.channel = site(input.path) ?? input.location.flatMap(site) ?? ""
        var scanner = LineScanner(input.bytes)
        var schemaIndex: UInt16 = 0
        var schema: FieldSchema?
        var columns = 0
        var mapping: FieldMapping?
        var dateCol = -1, timeCol = -1
        var span = 0
        var scan = SeparatorScan()
        defer { scan.deallocate() }
        var servers = ServerTally()
        // The server's own address (`s-ip`): a log without `s-computername` is filed with the logs that share it.
        var addresses = ServerTally()
        var addressCol = -1
        // `X-Forwarded-For` (a custom field behind a load balancer): the client, where `c-ip` is internal.
        var forwardedCol = -1, clientCol = -1
        var forwarded: (lines: Int, first: Int, peer: String) = (0, 0, "")
        let plain = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        let base = input.bytes
        func adopt(_ sm: (FieldSchema, FieldMapping)) {
            let (s, m) = sm
            schemaIndex = out.batch.addSchema(s)
            schema = s
            columns = s.names.count
            mapping = m
            dateCol = s.column("date") ?? -1
            timeCol = s.column("time") ?? -1
            addressCol = s.column("s-ip") ?? -1
            forwardedCol = s.column("X-Forwarded-For") ?? s.column("cs(X-Forwarded-For)") ?? -1
            clientCol = m.columns[InternedField.clientIP.rawValue]
            span = max(m.span, dateCol + 1, timeCol + 1, addressCol + 1, forwardedCol + 1)
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
                    adopt(Self.schema(d.value.split(separator: " ").map(String.init)))
                    for r in schema?.repeatedNames ?? [] {
                        out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): #Fields names \(r.name) more than once (columns "
                                                     + r.columns.map(String.init).joined(separator: ", ") + "); rules and filters read the first"),
                                         kind: "repeated field name")
                    }
                case let d? where d.name == "Software": out.facts["software"] = d.value
                case let d? where d.isKnown: break
                default:
                    let (problem, kind) = Directive.unknown(lineNo, line)
                    out.problems.add(problem, kind: kind)
                    out.batch.append(offset: off, length: len, line: lineNo, time: LineChecks.leadingTime(line), schema: plain)
                }
                continue
            }
            if mapping == nil, KnownColumnSets.fitsIISDefault(line) {
                out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no #Fields header; read with IIS's default field set ("
                                             + KnownColumnSets.iisDefault.joined(separator: " ") + ")"))
                adopt(Self.schema(KnownColumnSets.iisDefault))
            }
            guard let m = mapping else {
                LineChecks.check(line, number: lineNo, problems: &out.problems)
                let (problem, kind) = Directive.dataBeforeFields(lineNo)
                out.problems.add(problem, kind: kind)
                out.batch.append(offset: off, length: len, line: lineNo, time: LineChecks.leadingTime(line), schema: plain)
                continue
            }
            scan.scan(line, separator: 0x20, locating: span)
            LineChecks.report(line, number: lineNo, highBit: scan.hasHighBit, lowByte: scan.hasLowByte, problems: &out.problems)
            // A line cut off by the end of the file (a live log collected): its last value is partial and must not
            // reach rules or indicators (a half IP, a cut user agent); the whole values before it are read.
            let cut = scanner.lastLineUnterminated && scan.fields < columns
            if cut { ExchangeCSVReader.reportFieldCount(scan.fields, columns, lineNo, unterminated: true, &out.problems) }
            let complete = cut ? scan.fields - 1 : columns
            @inline(__always) func value(_ c: Int) -> UnsafeRawBufferPointer? {
                guard c < complete, let v = scan.field(c, of: line), !(v.count == 1 && v[0] == UInt8(ascii: "-")) else { return nil }
                return v
            }
            var t = Timestamp.unknown
            if let d = value(dateCol), let tm = value(timeCol), let parsed = Timestamp.parse(date: d, time: tm) { t = parsed }
            else if cut { t = LineChecks.leadingTime(line) }
            else { out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no readable date/time"), kind: "no readable timestamp") }
            out.batch.append(offset: off, length: len, line: lineNo, time: t,
                             schema: cut ? out.batch.addSchema(schema!.cutOff(after: complete)) : schemaIndex)
            for (field, column) in m.interned {
                if let v = value(column), v.count > 0 { out.batch.set(field, v) }
            }
            if forwardedCol >= 0, let list = value(forwardedCol) {
                let peer = value(clientCol).map { String(decoding: $0, as: UTF8.self) }
                if peer.map(InternalAddress.contains) ?? true, let client = ForwardedFor.client(String(decoding: list, as: UTF8.self)) {
                    out.batch.set(.clientIP, client)
                    if forwarded.lines == 0 { forwarded = (0, lineNo, peer ?? "-") }
                    forwarded.lines += 1
                }
            }
            if lineNo < ServerTally.lines {
                if let v = value(m.server) { servers.count(v) }
                if addressCol >= 0, let v = value(addressCol) { addresses.count(v) }
            }
            if scan.fields != columns && !cut {
                ExchangeCSVReader.reportFieldCount(scan.fields, columns, lineNo, unterminated: scanner.lastLineUnterminated, &out.problems)
            }
        }
        // Said once per file: the client column no longer holds c-ip there (one note, not a problem per request).
        if forwarded.lines > 0 {
            out.problems.add(LoadProblem(line: forwarded.first, "line \(forwarded.first): the client of \(forwarded.lines) request"
                                         + (forwarded.lines == 1 ? "" : "s") + " is taken from X-Forwarded-For, as c-ip names an internal proxy (\(forwarded.peer))"),
                             kind: "client from X-Forwarded-For")
        }
        if let server = servers.leader { out.facts["server"] = server }
        if let address = addresses.leader { out.facts[EvidenceFile.serverAddressFact] = address }
    }
}

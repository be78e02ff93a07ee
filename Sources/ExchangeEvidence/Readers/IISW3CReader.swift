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

    /// The IIS site folder (`W3SVC1`) a log's path names, if any.
    /// A folder, not the file's own name (`W3SVC1_u_ex210303.log` gathered by hand names no site; reviewer).
    static func site(_ path: String) -> String? {
        path.split(separator: "/").dropLast().last { $0.uppercased().hasPrefix("W3SVC") && $0.dropFirst(5).allSatisfy(\.isNumber) }.map(String.init)
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        out.kind = .iis
        // The site folder (`W3SVC1`) under the evidence root, else in the path it was read from (a log loaded
        // on its own, or a zip member: `ZIP!/…/W3SVC1/u_ex….log`).
        out.channel = Self.site(input.path) ?? input.location.flatMap(Self.site) ?? ""
        var scanner = LineScanner(input.bytes)
        var layout: IISW3CLine?
        var scan = SeparatorScan()
        defer { scan.deallocate() }
        var servers = ServerTally()
        var addresses = ServerTally()
        // Requests whose client came from X-Forwarded-For: said once per file (the client column is not c-ip there).
        var forwarded: (lines: Int, first: Int, peer: String) = (0, 0, "")
        let plain = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        let base = input.bytes

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
                    layout = IISW3CLine(Self.schema(d.value.split(separator: " ").map(String.init)), batch: &out.batch)
                    for r in layout?.schema.repeatedNames ?? [] {
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
            if layout == nil, KnownColumnSets.fitsIISDefault(line) {
                out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no #Fields header; read with IIS's default field set ("
                                             + KnownColumnSets.iisDefault.joined(separator: " ") + ")"))
                layout = IISW3CLine(Self.schema(KnownColumnSets.iisDefault), batch: &out.batch)
            }
            guard let layout else {
                LineChecks.check(line, number: lineNo, problems: &out.problems)
                let (problem, kind) = Directive.dataBeforeFields(lineNo)
                out.problems.add(problem, kind: kind)
                out.batch.append(offset: off, length: len, line: lineNo, time: LineChecks.leadingTime(line), schema: plain)
                continue
            }
            if let peer = layout.read(line, offset: off, lineNo: lineNo, unterminated: scanner.lastLineUnterminated, scan: &scan,
                                      servers: &servers, addresses: &addresses, out: &out) {
                if forwarded.lines == 0 { forwarded = (0, lineNo, peer) }
                forwarded.lines += 1
            }
        }
        if forwarded.lines > 0 {
            out.problems.add(LoadProblem(line: forwarded.first, "line \(forwarded.first): the client of \(forwarded.lines) request"
                                         + (forwarded.lines == 1 ? "" : "s") + " is taken from X-Forwarded-For, as c-ip names an internal proxy (\(forwarded.peer))"),
                             kind: "client from X-Forwarded-For")
        }
        if let server = servers.leader { out.facts["server"] = server }
        if let address = addresses.leader { out.facts[EvidenceFile.serverAddressFact] = address }
    }
}

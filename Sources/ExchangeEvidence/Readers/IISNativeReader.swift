import Foundation

/// IIS's own log file format (`inYYMMDD.log`, `u_inYYMMDD.log`), the fixed alternative to W3C a site can be set to:
/// fifteen values a line, each followed by `, `: client IP, user name, date, time, service and instance, server
/// name, server IP, time taken, client bytes, server bytes, HTTP status, Windows status, method, target (the URL
/// path) and parameters (the query). Its date and time are the server's local time (W3C's are UTC), written
/// `MM/DD/YY`. Each line is written back as the W3C line of those fields, its time in UTC (`load --local-time`
/// gives the zone; without it the times are read as UTC, a guess `load` warns of), and read by the IIS reader's
/// line code, so the web rules and indicators see it as a W3C log's line (reviewer: such a log loaded as text,
/// and a listed address in it gave no hit).
public struct IISNativeReader: EvidenceReader {
    public init() {}
    public var name: String { "iis-native" }
    public var readsText: Bool { true }

    /// The W3C names of the format's fifteen values, in their order.
    static let fields = ["c-ip", "cs-username", "date", "time", "s-sitename", "s-computername", "s-ip", "time-taken",
                         "cs-bytes", "sc-bytes", "sc-status", "sc-win32-status", "cs-method", "cs-uri-stem", "cs-uri-query"]
    /// The W3C line written for each: `date` and `time` first, as IIS's W3C logs have them.
    static let w3c = ["date", "time"] + fields.filter { $0 != "date" && $0 != "time" }
    /// Each W3C name's place among the line's values.
    static let position = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1, $0) })

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        var scanner = LineScanner(head)
        while let (off, len) = scanner.next() {
            guard len > 0 else { continue }
            let line = UnsafeRawBufferPointer(rebasing: head[off..<(off + len)])
            // Every file is scored: bytes first (a directive, a CSV header or JSON is no line of this format), text after.
            let last = line[len - 1] == 0x0D && len > 1 ? line[len - 2] : line[len - 1]
            guard last == UInt8(ascii: ","), line[0] != UInt8(ascii: "#"), line.filter({ $0 == UInt8(ascii: ",") }).count == Self.fields.count else { return 0 }
            return Self.values(line).flatMap(Self.localTime) != nil ? 85 : 0
        }
        return 0
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        out.kind = .iis
        var scanner = LineScanner(input.bytes)
        var local = LocalTimes(zone: input.localTimeZone)
        var rendered: [UInt8] = []
        rendered.reserveCapacity(input.bytes.count + input.bytes.count / 8)
        var scan = SeparatorScan()
        defer { scan.deallocate() }
        var servers = ServerTally(), addresses = ServerTally(), sites: [String: Int] = [:]
        let layout = IISW3CLine(IISW3CReader.schema(Self.w3c), batch: &out.batch)
        let plain = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        var said = false
        while let (off, len) = scanner.next() {
            guard len > 0 else { continue }
            let lineNo = scanner.lineNumber, line = UnsafeRawBufferPointer(rebasing: input.bytes[off..<(off + len)])
            out.consumed(offset: off, length: len, line: lineNo)
            guard let values = Self.values(line), let wall = Self.localTime(values) else {
                // Not a line of the format (a cut line, a stray note): kept as text and named.
                LineChecks.check(line, number: lineNo, problems: &out.problems)
                out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): not a line of IIS's log file format (15 values, each followed by ', '); kept as text"),
                                 kind: "not a log line")
                let at = rendered.count
                rendered.append(contentsOf: line)
                out.batch.append(offset: at, length: len, line: lineNo, time: Timestamp.unknown, schema: plain)
                rendered.append(0x0A)
                continue
            }
            if !said {
                said = true
                out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): IIS's log file format (not W3C): each line is read as the W3C line of its fields"))
            }
            WebRecordLine.appendLine(Self.w3c, time: local.utc(wall, column: "date and time"), value: { values[Self.position[$0]!] },
                                     layout: layout, line: lineNo, rendered: &rendered, scan: &scan, servers: &servers,
                                     addresses: &addresses, out: &out)
            sites[values[4], default: 0] += 1
        }
        local.record(into: &out)
        out.rendered = rendered
        out.channel = EvtxReader.mostCommon(sites) ?? IISW3CReader.site(input.path) ?? ""
        if let server = servers.leader { out.facts["server"] = server }
        if let address = addresses.leader { out.facts[EvidenceFile.serverAddressFact] = address }
    }

    /// The fifteen values of a line, or nil when it is not one: each value is followed by `, ` (the last by `,`).
    static func values(_ line: UnsafeRawBufferPointer) -> [String]? {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        guard text.hasSuffix(",") else { return nil }
        let parts = text.dropLast().components(separatedBy: ", ")
        guard parts.count == fields.count else { return nil }
        return parts.map { $0.trimmingSpaces() }
    }

    /// The line's wall-clock time (`MM/DD/YY`, `H:MM:SS`), as ms read as UTC; nil when the date or time is not one.
    static func localTime(_ values: [String]) -> Int64? {
        let d = values[2].split(separator: "/").compactMap { Int($0) }, t = values[3].split(separator: ":").compactMap { Int($0) }
        guard d.count == 3, t.count == 3 else { return nil }
        let year = d[2] < 100 ? 2000 + d[2] : d[2]
        return Timestamp.wallClock(year: year, month: d[0], day: d[1], hour: t[0], minute: t[1], second: t[2])
    }
}

import Foundation

/// The columns of one IIS `#Fields` header, and the reading of a data line under them. The log reader's loop and
/// SIEM exports whose events each hold one IIS line (`RawWebLine`) share it, so a line gives the same event
/// wherever it was found. A class: a struct of this size copied out of the reader's optional on every line cost
/// a retain and release of each member (7 % of a load's CPU).
final class IISW3CLine {
    let schema: FieldSchema
    /// The schema's index in the batch being read.
    let index: UInt16
    let mapping: FieldMapping
    let dateCol: Int, timeCol: Int
    /// The server's own address (`s-ip`): a log without `s-computername` is filed with the logs that share it.
    let addressCol: Int
    /// `X-Forwarded-For` (a custom field behind a load balancer) and `c-ip`: the client, where `c-ip` is internal.
    let forwardedCol: Int, clientCol: Int
    /// Columns to locate on each line: one past the last one read.
    let span: Int

    init(_ sm: (FieldSchema, FieldMapping), batch: inout EventBatch) {
        (schema, mapping) = sm
        index = batch.addSchema(schema)
        dateCol = schema.column("date") ?? -1
        timeCol = schema.column("time") ?? -1
        addressCol = schema.column("s-ip") ?? -1
        forwardedCol = schema.column("X-Forwarded-For") ?? schema.column("cs(X-Forwarded-For)") ?? -1
        clientCol = mapping.columns[InternedField.clientIP.rawValue]
        span = max(mapping.span, dateCol + 1, timeCol + 1, addressCol + 1, forwardedCol + 1)
    }

    /// Appends the event of data line `line` (at `offset` of the text events point into, numbered `lineNo`).
    /// `unterminated`: the text ends inside this line (a live log collected mid-write). The server names and
    /// addresses of a log's first `ServerTally.lines` lines are counted into `servers` and `addresses`.
    /// Returns `c-ip` when the client was taken from X-Forwarded-For instead (`ForwardedFor`), so the reader can say so.
    @discardableResult
    func read(_ line: UnsafeRawBufferPointer, offset: Int, lineNo: Int, unterminated: Bool, scan: inout SeparatorScan,
              servers: inout ServerTally, addresses: inout ServerTally, out: inout ReaderOutput) -> String? {
        let columns = schema.names.count
        scan.scan(line, separator: 0x20, locating: span)
        LineChecks.report(line, number: lineNo, highBit: scan.hasHighBit, lowByte: scan.hasLowByte, problems: &out.problems)
        // A line cut off by the end of the file (a live log collected): its last value is partial and must not
        // reach rules or indicators (a half IP, a cut user agent); the whole values before it are read.
        let cut = unterminated && scan.fields < columns
        if cut { ExchangeCSVReader.reportFieldCount(scan.fields, columns, lineNo, unterminated: true, &out.problems) }
        let complete = cut ? scan.fields - 1 : columns
        let fields = scan
        @inline(__always) func value(_ c: Int) -> UnsafeRawBufferPointer? {
            guard c < complete, let v = fields.field(c, of: line), !(v.count == 1 && v[0] == UInt8(ascii: "-")) else { return nil }
            return v
        }
        var t = Timestamp.unknown
        if let d = value(dateCol), let tm = value(timeCol), let parsed = Timestamp.parse(date: d, time: tm) { t = parsed }
        else if cut { t = LineChecks.leadingTime(line) }
        else { out.problems.add(LoadProblem(line: lineNo, "line \(lineNo): no readable date/time"), kind: "no readable timestamp") }
        out.batch.append(offset: offset, length: line.count, line: lineNo, time: t,
                         schema: cut ? out.batch.addSchema(schema.cutOff(after: complete)) : index)
        for (field, column) in mapping.interned {
            if let v = value(column), v.count > 0 { out.batch.set(field, v) }
        }
        var proxy: String?
        if forwardedCol >= 0, let list = value(forwardedCol) {
            let peer = value(clientCol).map { String(decoding: $0, as: UTF8.self) }
            if peer.map(InternalAddress.contains) ?? true, let client = ForwardedFor.client(String(decoding: list, as: UTF8.self)) {
                out.batch.set(.clientIP, client)
                proxy = peer ?? "-"
            }
        }
        if lineNo < ServerTally.lines {
            if let v = value(mapping.server) { servers.count(v) }
            if addressCol >= 0, let v = value(addressCol) { addresses.count(v) }
        }
        if scan.fields != columns && !cut {
            ExchangeCSVReader.reportFieldCount(scan.fields, columns, lineNo, unterminated: unterminated, &out.problems)
        }
        return proxy
    }
}

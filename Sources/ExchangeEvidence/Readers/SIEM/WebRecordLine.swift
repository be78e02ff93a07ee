import Foundation

/// An IIS request exported field by field (a Sentinel `W3CIISLog` row, a Filebeat `iis.access` document) made
/// back into the W3C line it was logged as, and read by the IIS reader's own line code (`IISW3CLine`): the
/// event has the fields, kind and interned values a log file's line gives, so rules, indicators and `show`
/// treat it alike. The line is written as IIS writes one: a space inside a value as `+`, an empty value as `-`.
struct WebRecordLine {
    private var scan = SeparatorScan()
    private var servers = ServerTally(), addresses = ServerTally()
    /// The line layout of each export (its W3C fields), made at its first record.
    private var layouts: [String: (line: IISW3CLine, fields: [String])] = [:]
    private var named: Set<String> = []

    func deallocate() { scan.deallocate() }

    /// Appends record `line` of the export (`value` gives its values by export name) to `rendered` as an IIS
    /// line and reads it as that line's event, timed by `time` (the caller reads the export's time forms).
    /// Returns the server (`s-computername`'s names) and IIS site the record names.
    mutating func read(_ family: WebExportFields.Family, time: Int64?, value: (String) -> String?, line: Int,
                       rendered: inout [UInt8], out: inout ReaderOutput) -> (server: String, site: String) {
        if named.insert(family.name).inserted {
            out.problems.add(LoadProblem(line: line, "line \(line): \(family.name) export of IIS requests: each record is read as the IIS line "
                                         + "it was logged as (fields from \(WebExportFields.file))"))
        }
        let layout = layout(family, &out.batch)
        func first(_ w3c: String) -> String? {
            for name in family.names(w3c) { if let v = value(name), !v.isEmpty { return v } }
            return nil
        }
        Self.appendLine(layout.fields, time: time, value: { field in
            // Filebeat's pipeline lower-cases the method; IIS logs it as clients send it, upper-case (reviewer).
            field == "cs-method" ? first(field).map { $0.allSatisfy(\.isLowercase) ? $0.uppercased() : $0 } : first(field)
        }, layout: layout.line, line: line, rendered: &rendered, scan: &scan, servers: &servers, addresses: &addresses, out: &out)
        let site = first("s-sitename") ?? first("@site-path").flatMap { IISW3CReader.site($0.replacingOccurrences(of: "\\", with: "/")) }
        return (first("s-computername") ?? "", site ?? "")
    }

    /// The family's line layout: IIS's `date` and `time`, then every other W3C field the family names.
    private mutating func layout(_ family: WebExportFields.Family, _ batch: inout EventBatch) -> (line: IISW3CLine, fields: [String]) {
        if let known = layouts[family.name] { return known }
        let fields = ["date", "time"] + family.fields.map(\.w3c).filter { $0 != "date-time" && !$0.hasPrefix("@") }
        let made = (IISW3CLine(IISW3CReader.schema(fields), batch: &batch), fields)
        layouts[family.name] = made
        return made
    }

    /// Appends the W3C line of `fields` to `rendered` (`date` and `time` from `time`, in UTC; the others from `value`,
    /// as IIS writes them), reads it with `layout` as line `line`, and ends it: an IIS request exported field by field
    /// and a line of IIS's own format are both read as the W3C line they stand for.
    static func appendLine(_ fields: [String], time: Int64?, value: (String) -> String?, layout: IISW3CLine, line: Int,
                           rendered: inout [UInt8], scan: inout SeparatorScan, servers: inout ServerTally,
                           addresses: inout ServerTally, out: inout ReaderOutput) {
        let iso = time.flatMap { $0 == Timestamp.unknown ? nil : Timestamp.iso($0) }  // 2021-03-03T07:12:43.000Z
        let at = rendered.count
        for (k, field) in fields.enumerated() {
            if k > 0 { rendered.append(0x20) }
            switch field {
            case "date": rendered.append(contentsOf: (iso.map { $0.prefix(10) } ?? "-").utf8)
            case "time": rendered.append(contentsOf: (iso.map { $0.dropFirst(11).prefix(8) } ?? "-").utf8)
            default: append(value(field), to: &rendered)
            }
        }
        let length = rendered.count - at
        rendered.withUnsafeBytes {
            _ = layout.read(UnsafeRawBufferPointer(rebasing: $0[at..<(at + length)]), offset: at, lineNo: line, unterminated: false,
                            scan: &scan, servers: &servers, addresses: &addresses, out: &out)
        }
        rendered.append(0x0A)
    }

    /// A value as IIS logs it: `-` for none, a space (or any white space, which would break the line) as `+`.
    static func append(_ v: String?, to out: inout [UInt8]) {
        guard let v, !v.isEmpty else { out.append(UInt8(ascii: "-")); return }
        for b in v.utf8 { out.append(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D ? UInt8(ascii: "+") : b) }
    }
}

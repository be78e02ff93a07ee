import Dispatch
import ExchangeEvidence

/// Matching in fields the store does not intern: digests, file paths, command lines and forwarded-for lists
/// that file listings, IIS custom fields and event-log records carry under their own column names (`SHA256`,
/// Sysmon `Hashes`, `TargetFilename`, `FullName`, `CommandLine`, Exchange's `CmdletParameters`, `X-Forwarded-For`).
///
/// This is the hook for readers: a reader only has to name its columns; any column whose name
/// `groups(forColumn:)` recognises is searched. Values are cut from the raw line as bytes (no per-event
/// Strings), only for events whose schema has such a column — key=value records name their fields per
/// line, so each of those lines is walked — and each distinct value is run through the automaton once
/// (interned in a private pool per field group).
enum IOCNamedFields {
    /// The groups a column name is searched in (none: not searched by name). Referer, network and DNS columns
    /// carry domains; command lines carry paths and names and also the domains, e-mail addresses and URLs
    /// an attacker passes to a tool (`-ForwardingSmtpAddress smtp:x@evil.example`, `curl http://…`).
    static func groups(forColumn name: String) -> [FieldGroup] {
        var n = name.lowercased()
        if n.hasPrefix("cs(") && n.hasSuffix(")") { n = String(n.dropFirst(3).dropLast()) }
        if n.contains("sha256") || n.contains("sha-256") || n.contains("sha1") || n.contains("md5") || n == "hash"
            || n == "hashes" || n.hasSuffix("hash") {
            return [.hash]
        }
        switch n {
        case "x-forwarded-for", "x_forwarded_for", "forwardedfor", "forwarded-for", "ipaddress", "sourceip",
             "destinationip", "sourceaddress", "destinationaddress", "sourcenetworkaddress":
            return [.ip]
        case "commandline", "parentcommandline", "processcommandline", "scriptblocktext":
            return [.file, .text]
        // Exchange cmdlet-log parameters also carry addresses: `New-MailboxExportRequest -FilePath \\1.2.3.4\c$\…`.
        case "cmdletparameters":
            return [.file, .text, .ip]
        case "targetfilename", "image", "parentimage", "imageloaded", "path", "fullname", "fullpath", "filepath",
             "filename", "file", "sourcefilename", "targetpath", "objectname":
            return [.file]
        // Not `UrlHost`/`cs-host`: the Host header names the victim server itself, and scanning it in every
        // front-end request made grep-ioc 17 times slower for no indicator that could be there.
        case "referer", "referrer", "cs-referer", "destinationhostname", "sourcehostname", "queryname":
            return [.text]
        // A timeline row's description (Timesketch's `message`, which plaso and exhunt's own `export timeline`
        // write): the event's fields are in its text, so it is searched as a raw line is.
        case "message":
            return [.raw, .ip, .hash]
        default:
            return []
        }
    }

    private enum Plan {
        case skip
        /// The searched columns of a schema of `width` columns.
        case columns(LineFormat, [(index: Int, group: FieldGroup, name: String)], width: Int)
        case keyValue
    }

    static func match(_ m: IOCMatcher, _ store: EventStore, fileOK: [Bool], filter: IOCFilter, into hits: inout [IOCHit]) {
        let plans: [Plan] = store.schemas.map { s in
            switch s.format {
            case .keyValue: return .keyValue
            case .plain: return .skip
            case .csv, .w3c, .csvTail:
                let cols = s.names.enumerated().flatMap { i, name in groups(forColumn: name).map { (i, $0, name) } }
                return cols.isEmpty ? .skip : .columns(s.format, cols, width: s.names.count)
            }
        }
        guard plans.contains(where: { if case .skip = $0 { false } else { true } }) else { return }
        // Two halves cut at a file boundary, on both cores, each with its own memo (hits are sorted afterwards).
        let n = store.count
        var middle = n / 2
        while middle > 0 && middle < n && store.fileIndex[middle] == store.fileIndex[middle - 1] { middle += 1 }
        let parts = [0..<middle, middle..<n]
        var found = [[IOCHit]](repeating: [], count: parts.count)
        found.withUnsafeMutableBufferPointer { out in
            let sink = out
            DispatchQueue.concurrentPerform(iterations: parts.count) { k in
                sink[k] = scan(parts[k], plans, m, store, fileOK: fileOK, filter: filter)
            }
        }
        for part in found { hits += part }
    }

    /// The hits in the events of `range`, which starts at a file's first event.
    private static func scan(_ range: Range<Int>, _ plans: [Plan], _ m: IOCMatcher, _ store: EventStore, fileOK: [Bool],
                             filter: IOCFilter) -> [IOCHit] {
        var hits: [IOCHit] = []
        var memo = Memo()
        var fields = FieldCutter()
        var e = range.lowerBound
        let n = range.upperBound
        while e < n {
            // Events of a file are contiguous: take the file's bytes once per run of its events.
            let fi = Int(store.fileIndex[e])
            var end = e
            while end < n && Int(store.fileIndex[end]) == fi { end += 1 }
            defer { e = end }
            guard fileOK[fi] else { continue }
            store.withEventText(file: fi) { text in
                for ev in e..<end {
                    let plan = plans[Int(store.schema[ev])]
                    if case .skip = plan { continue }
                    let line = text.line(ev)
                    fields.each(plan, line) { value, group, name in
                        let found = memo.candidates(value, group, m)
                        guard !found.isEmpty, filter.acceptsTime(store.time[ev]) else { return }
                        for i in found {
                            hits.append(IOCHit(indicator: Int(i), event: ev, file: fi, line: Int(store.lineNumber[ev]),
                                               field: name(), time: store.time[ev]))
                        }
                    }
                }
            }
        }
        return hits
    }

    /// Distinct values per group with the indicators they matched.
    private struct Memo {
        var pools = FieldGroup.allCases.map { _ in ValuePool(capacity: 1024) }
        /// Per group, per pool id: 0 unknown, 1 nothing, k ≥ 2 → `lists[k - 2]`.
        var codes = FieldGroup.allCases.map { _ in [UInt32]() }
        var lists: [[Int32]] = []

        mutating func candidates(_ value: UnsafeRawBufferPointer, _ g: FieldGroup, _ m: IOCMatcher) -> [Int32] {
            let id = Int(pools[g.rawValue].intern(value))
            if codes[g.rawValue].count <= id { codes[g.rawValue].append(contentsOf: repeatElement(0, count: id + 1 - codes[g.rawValue].count)) }
            var code = codes[g.rawValue][id]
            if code == 0 {
                let found = m.candidates(in: value, group: g)
                if found.isEmpty { code = 1 } else {
                    lists.append(found)
                    code = UInt32(lists.count + 1)
                }
                codes[g.rawValue][id] = code
            }
            return code == 1 ? [] : lists[Int(code) - 2]
        }
    }

    /// Cuts the searched fields out of raw lines; remembers the group of each key=value name seen.
    private struct FieldCutter {
        var names = ValuePool(capacity: 256)
        /// Per name id: the groups it is searched in, one bit per group raw value (0: not searched).
        var nameGroups: [UInt8] = [0]

        /// Calls `body(value, group, name)` for each searched, non-empty field of a line.
        mutating func each(_ plan: Plan, _ line: UnsafeRawBufferPointer,
                           _ body: (UnsafeRawBufferPointer, FieldGroup, () -> String) -> Void) {
            switch plan {
            case .skip:
                return
            case .columns(let format, let cols, let width):
                if format == .csvTail || (format == .csv && line.contains(UInt8(ascii: "\""))) {
                    // Quoted CSV (listings, rare in logs) and excerpts whose last column takes the rest of the
                    // line: the general splitter.
                    let values = format == .csvTail ? CSVLine.split(line, limit: width) : CSVLine.split(line)
                    for c in cols where c.index < values.count && !values[c.index].isEmpty {
                        var v = values[c.index]
                        v.withUTF8 { body(UnsafeRawBufferPointer($0), c.group, { c.name }) }
                    }
                    return
                }
                let sep = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: " ")
                for c in cols {
                    guard let r = Self.field(line, c.index, sep) else { continue }
                    let v = UnsafeRawBufferPointer(rebasing: line[r])
                    if v.isEmpty || (format == .w3c && v.count == 1 && v[0] == UInt8(ascii: "-")) { continue }
                    body(v, c.group, { c.name })
                }
            case .keyValue:
                var start = 0
                while start < line.count {
                    var end = start
                    while end < line.count && line[end] != 0x09 { end += 1 }
                    var eq = start
                    while eq < end && line[eq] != UInt8(ascii: "=") { eq += 1 }
                    if eq < end, eq + 1 < end {
                        let nameBytes = UnsafeRawBufferPointer(rebasing: line[start..<eq])
                        let nameID = Int(names.intern(nameBytes))
                        if nameID >= nameGroups.count {
                            let gs = IOCNamedFields.groups(forColumn: String(decoding: nameBytes, as: UTF8.self))
                            nameGroups.append(gs.reduce(0) { $0 | 1 << UInt8($1.rawValue) })
                        }
                        let mask = nameGroups[nameID]
                        if mask != 0 {
                            let raw = UnsafeRawBufferPointer(rebasing: line[(eq + 1)..<end])
                            let name = { String(decoding: nameBytes, as: UTF8.self) }
                            let unescaped = raw.contains(0x5C) ? Self.unescape(raw) : nil
                            for g in FieldGroup.allCases where mask & 1 << UInt8(g.rawValue) != 0 {
                                if let unescaped { unescaped.withUnsafeBytes { body($0, g, name) } } else { body(raw, g, name) }
                            }
                        }
                    }
                    start = end + 1
                }
            }
        }

        /// Byte range of field `index` of a line split on `sep`.
        static func field(_ line: UnsafeRawBufferPointer, _ index: Int, _ sep: UInt8) -> Range<Int>? {
            var k = 0, start = 0
            for i in 0..<line.count where line[i] == sep {
                if k == index { return start..<i }
                k += 1
                start = i + 1
            }
            return k == index ? start..<line.count : nil
        }

        /// Undoes the key=value escapes (`\\`, `\t`, `\n`, `\r`) of rendered records.
        static func unescape(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            while i < raw.count {
                let c = raw[i]
                if c == 0x5C, i + 1 < raw.count {
                    switch raw[i + 1] {
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    default: out.append(raw[i + 1])
                    }
                    i += 2
                    continue
                }
                out.append(c)
                i += 1
            }
            return out
        }
    }
}

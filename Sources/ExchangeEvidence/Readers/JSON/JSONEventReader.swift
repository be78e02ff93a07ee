import Foundation
/// Windows events exported as JSON: NXLog `im_msvistalog` + `to_json()`, winlogbeat / Elastic Agent (ECS,
/// `winlog.*`), Splunk search exports, Velociraptor JSONL, `Get-WinEvent | ConvertTo-Json`, and Timesketch
/// JSONL (exhunt's own `export timeline`). JSON lines, one or several arrays, and pretty-printed objects in a
/// row are all read; gzip is undone by the loader first.
///
/// Each object's shape is decided on its own keys (a file may mix shapes). Windows events become the same
/// `keyValue` line the EVTX readers render (`WindowsEvent`), so rules see one format whatever the
/// collection tool was. A Splunk event whose `_raw` is one line of an IIS or HttpProxy log is that log's event
/// (`RawWebLine`), of that log's kind, so the web rules see it. Other objects (Timesketch rows, anything else) are kept as a line of their
/// flattened members, and one that is no known event is reported. Text that is not JSON (a cut-off object,
/// a stray line) is kept line by line as plain text and reported with its line number.
public struct JSONEventReader: EvidenceReader {
    public init() {}
    public var name: String { "json-events" }
    public var readsText: Bool { true }

    /// JSON records that are not Windows events (Timesketch rows, unknown objects).
    static let recordKind = SourceKind("json")

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        // Cheap test first (every file is scored): JSON starts with `{` or `[`.
        guard let first = head.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return 0 }
        var parser = JSONParser(head)
        if parser.peek() == UInt8(ascii: "[") { parser.i += 1 }
        // The first objects the head holds: an export may begin with a row of another table (Sentinel's Heartbeat,
        // an `iis.error` document) before its requests (reviewer: such a file was kept as text, its requests unseen).
        var complete = 0
        while complete < 16, let object = try? parser.value() {
            if JSONEventShape.of(JSONEventShape.document(object)) != nil { return 92 }
            complete += 1
            while let c = parser.peek(), c == UInt8(ascii: ",") || c == UInt8(ascii: "]") { parser.i += 1 }
        }
        if complete > 0 && parser.peek() == nil { return 0 }
        // The head cut the first object: look for the keys of a known shape instead.
        let keys: [StaticString] = ["\"winlog\"", "\"System\"", "\"_raw\"", "\"SourceName\"", "\"ProviderName\"", "\"timestamp_desc\"",
                                    "\"csUriStem\"", "\"iis.access\"", "\"_source\""]
        return keys.contains { ByteSearch.contains(head, $0) } ? 80 : 0
    }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        var state = State(input.bytes, zone: input.localTimeZone)
        defer { state.webLines.deallocate(); state.webRecords.deallocate() }
        state.read(into: &out)
        state.local.record(into: &out)
        for (minutes, seen) in state.collectorSkew.sorted(by: { $0.key < $1.key }) {
            let h = abs(minutes) / 60, m = abs(minutes) % 60
            let by = (minutes < 0 ? "-" : "+") + (h > 0 ? "\(h) h" : "") + (m > 0 ? "\(h > 0 ? " " : "")\(m) min" : "")
            out.problems.add(LoadProblem(line: seen.line, "line \(seen.line): \(seen.count) Sysmon event\(seen.count == 1 ? "" : "s") whose UtcTime is \(by) from the collector's time "
                                         + "(a collector that wrote local time as UTC?): timed by UtcTime; the file's other events keep the collector's time, "
                                         + "which may be off by as much"), kind: "collector time")
        }
        out.rendered = state.rendered
        // The kind most rows are; rows of another kind are filed as such (`rows`).
        out.kind = state.tally.mostCommonKind(otherwise: Self.recordKind)
        out.channel = EvtxReader.mostCommon(state.tally.channels) ?? (state.shapes["timesketch"] != nil ? "timesketch" : "")
        if let host = EvtxReader.mostCommon(state.tally.computers), !host.isEmpty {
            out.facts["server"] = String(host.prefix { $0 != "." })
        }
        // A fleet's merged export, or one holding several logs: each row is filed under its own server and channel
        // (per-server hunts and verdicts must not mix machines, nor channel-bound rules logs); rows naming none go
        // with the most common.
        out.file(byRows: state.tally.rows, serversFact: "json.servers")
        out.facts["json.shapes"] = state.shapes.keys.sorted().joined(separator: ",")
        if state.tally.kinds[.iis] != nil || state.tally.kinds[.httpProxy] != nil { out.facts[RepeatedCopies.exportedFact] = "json" }
        if out.batch.count == 0 { out.problems.add(LoadProblem("no JSON objects found")) }
    }

    /// Walks the top-level values of one file.
    private struct State {
        let p: UnsafeRawBufferPointer
        var rendered: [UInt8] = []
        /// Each event's server (`EX01` and `ex01.contoso.local` are one), channel and kind, for exports of several.
        var tally = ExportRows()
        var shapes: [String: Int] = [:]
        var webLines = RawWebLine()
        var webRecords = WebRecordLine()
        /// Line number at `lineOffset` (counted forward only, so the whole file costs one newline pass).
        var lineNumber = 1
        var lineOffset = 0
        /// NXLog's `EventTime` without a zone is the agent's local time (its default format).
        var local: LocalTimes
        /// Sysmon events whose own `UtcTime` disagrees with the collector's time, per difference (minutes): a
        /// collector that wrote local time with a `Z` (OTRF's dataset: 5 h behind). Said once per file.
        var collectorSkew: [Int: (count: Int, line: Int)] = [:]

        init(_ p: UnsafeRawBufferPointer, zone: TimeZone?) {
            self.p = p
            local = LocalTimes(zone: zone)
            rendered.reserveCapacity(p.count / 2)
        }

        mutating func line(at offset: Int) -> Int {
            if offset > lineOffset, let base = p.baseAddress {
                var k = lineOffset
                while k < offset, let nl = memchr(base + k, 0x0A, offset - k) {
                    lineNumber += 1
                    k = base.distance(to: UnsafeRawPointer(nl)) + 1
                }
                lineOffset = offset
            }
            return lineNumber
        }

        mutating func read(into out: inout ReaderOutput) {
            let eventSchema = out.batch.addSchema(WindowsEvent.schema)
            let recordSchema = out.batch.addSchema(FieldSchema(format: .keyValue, names: []))
            let plainSchema = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
            var parser = JSONParser(p)
            var depth = 0  // 1 inside a top-level array
            while true {
                guard let c = parser.peek() else { break }
                if depth == 1 {
                    if c == UInt8(ascii: ",") { consumed(parser.i, 1, &out); parser.i += 1; continue }
                    if c == UInt8(ascii: "]") { consumed(parser.i, 1, &out); parser.i += 1; depth = 0; continue }
                } else if c == UInt8(ascii: "[") {
                    consumed(parser.i, 1, &out)
                    parser.i += 1
                    depth = 1
                    continue
                }
                let start = parser.i
                let lineNo = line(at: start)
                do {
                    let node = try parser.value()
                    // The value's input (one line, or the lines of a pretty-printed object) became the event.
                    out.consumed(offset: start, length: parser.i - start, line: lineNo)
                    let from = rendered.count
                    add(node, line: lineNo, out: &out, eventSchema: eventSchema, recordSchema: recordSchema)
                    LineChecks.checkRendered(rendered, from: from, number: lineNo, problems: &out.problems)
                } catch {
                    let f = error as? JSONParser.Failure ?? JSONParser.Failure(offset: parser.i, message: "\(error)")
                    // Keep the text up to the next line that starts a new object, as plain lines.
                    let resume = Self.nextObjectLine(p, after: max(f.offset, start + 1))
                    let badLine = line(at: min(f.offset, p.count))
                    let what = f.offset >= p.count ? "JSON cut off at the end of the file" : "not JSON (\(f.message))"
                    out.problems.add(LoadProblem(line: badLine, "line \(badLine): \(what); kept as text"),
                                     kind: f.offset >= p.count ? "JSON cut off" : "not JSON")
                    keepPlain(start, resume, firstLine: lineNo, out: &out, schema: plainSchema)
                    parser.i = resume
                    depth = 0
                }
            }
        }

        /// Marks input that is no event but was read (the brackets and commas of a top-level array) for the
        /// byte accounting: events point into `rendered`, so the input they came from must be marked too.
        mutating func consumed(_ offset: Int, _ length: Int, _ out: inout ReaderOutput) {
            out.consumed(offset: offset, length: length, line: line(at: offset))
        }

        /// Offset of the first line after `offset` whose first non-blank byte is `{` or `[` (or the end).
        static func nextObjectLine(_ p: UnsafeRawBufferPointer, after offset: Int) -> Int {
            guard let base = p.baseAddress else { return p.count }
            var k = offset
            while k < p.count, let nl = memchr(base + k, 0x0A, p.count - k) {
                var s = base.distance(to: UnsafeRawPointer(nl)) + 1
                k = s
                while s < p.count && (p[s] == 0x20 || p[s] == 0x09) { s += 1 }
                if s < p.count && (p[s] == UInt8(ascii: "{") || p[s] == UInt8(ascii: "[")) { return s }
            }
            return p.count
        }

        /// Stores the bytes `from..<to` as plain-text events, one per non-empty line.
        mutating func keepPlain(_ from: Int, _ to: Int, firstLine: Int, out: inout ReaderOutput, schema: UInt16) {
            var scanner = LineScanner(UnsafeRawBufferPointer(rebasing: p[from..<to]))
            while let (off, len) = scanner.next() {
                let lineBytes = UnsafeRawBufferPointer(rebasing: p[(from + off)..<(from + off + len)])
                guard lineBytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                let at = rendered.count, lineNo = firstLine + scanner.lineNumber - 1
                rendered.append(contentsOf: lineBytes)
                out.batch.append(offset: at, length: len, line: lineNo, time: LineChecks.leadingTime(lineBytes), schema: schema)
                out.consumed(offset: from + off, length: len, line: lineNo)
                rendered.append(0x0A)
            }
        }

        mutating func add(_ wrapped: JSONNode, line: Int, out: inout ReaderOutput, eventSchema: UInt16, recordSchema: UInt16) {
            let node = JSONEventShape.document(wrapped)
            let shape = JSONEventShape.of(node)
            if let shape { shapes[shape.rawValue, default: 0] += 1 }
            if let shape, var ev = shape.windowsEvent(node) {
                var time = ev.time
                if time == Timestamp.unknown, var t = shape.fallbackTime(node) {
                    if shape == .nxlog, node["@timestamp"] == nil, let text = node["EventTime"]?.text, JSONTime.isZoneless(text) {
                        t = local.utc(t, column: "EventTime")
                    }
                    time = t
                    ev.timeCreated = Timestamp.iso(t)
                }
                if time == Timestamp.unknown {
                    out.problems.add(LoadProblem(line: line, "line \(line): event without a readable time"), kind: "no time")
                }
                // Sysmon writes its own UTC time into every event; a collector's time a minute or more from it is the
                // collector's mistake, and UtcTime is the one to merge with the UTC web logs (iocs.md §4.4). Closer
                // than that, the event's own TimeCreated stays, as the EVTX readers time the same event.
                if ev.provider.hasSuffix("Sysmon"), let text = ev.data.first(where: { $0.name == "UtcTime" })?.value,
                   let utc = Timestamp.parse(text), time == Timestamp.unknown || abs(utc - time) >= 60_000 {
                    if time != Timestamp.unknown {
                        let minutes = Int((Double(utc - time) / 60_000).rounded())
                        let seen = collectorSkew[minutes]
                        collectorSkew[minutes] = ((seen?.count ?? 0) + 1, seen?.line ?? line)
                    }
                    time = utc
                }
                if shape == .powershell, !ev.data.isEmpty,
                   WindowsEventDataNames.shipped.knows(provider: ev.provider, eventID: ev.eventID),
                   WindowsEventDataNames.shipped.names(provider: ev.provider, eventID: ev.eventID, count: ev.data.count) == nil {
                    // A known event whose value count no template version has: its values stay Data1…, and the
                    // rules that read it by field name (process creation, file writes) cannot see it. Said, not silent.
                    out.problems.add(LoadProblem(line: line, "line \(line): \(ev.provider) \(ev.eventID) with \(ev.data.count) positional values: "
                                                 + "no names for that count in \(WindowsEventDataNames.file); kept as Data1…Data\(ev.data.count), "
                                                 + "unseen by rules that read its named fields"), kind: "unnamed data")
                }
                ev.append(to: &out, rendered: &rendered, schema: eventSchema, line: line, time: time, recovered: false)
                tally.channels[ev.channel, default: 0] += 1
                tally.computers[ev.computer, default: 0] += 1
                tally.rows.set(server: String(ev.computer.prefix { $0 != "." }), channel: ev.channel, kind: .eventLog, eventCount: out.batch.count)
                tally.kinds[.eventLog, default: 0] += 1
                return
            }
            if shape == .splunk, addWebLine(node, line: line, out: &out) { return }
            if shape == .webExport {
                addWebRecord(node, line: line, out: &out)
                return
            }
            // Not a Windows event: keep its members as one record line.
            var pairs: [(String, String)] = []
            Self.flatten(node, prefix: "", into: &pairs)
            if shape == nil {
                let what = node.isObject ? "JSON object of no known event shape" : "JSON value that is no object"
                out.problems.add(LoadProblem(line: line, "line \(line): \(what) (kept as a record)"), kind: "not an event")
            } else if shape != .timesketch {
                out.problems.add(LoadProblem(line: line, "line \(line): \(shape!.rawValue) object without an event id (kept as a record)"),
                                 kind: "event without id")
            }
            // Records of no known shape: Elastic's and Log Analytics' own time fields.
            let time = shape?.fallbackTime(node) ?? JSONTime.parse(node["@timestamp"]) ?? JSONTime.parse(node["TimeGenerated"]) ?? Timestamp.unknown
            let at = rendered.count
            KeyValueWriter.append(pairs, to: &rendered)
            out.batch.append(offset: at, length: rendered.count - at, line: line, time: time, schema: recordSchema)
            rendered.append(0x0A)
            // A SIEM result of no known shape (a firewall's syslog line beside IIS lines) is a record, not a line of
            // the kind most of its export is.
            if shape == .splunk { tally.rows.set(server: "", channel: "", kind: JSONEventReader.recordKind, eventCount: out.batch.count) }
            if shape == .timesketch, let server = node["server"]?.text, !server.isEmpty {
                tally.computers[server, default: 0] += 1
                tally.rows.set(server: String(server.prefix { $0 != "." }), channel: "", eventCount: out.batch.count)
            }
        }

        /// Adds a Splunk result whose `_raw` is one line of an IIS or HttpProxy log as that log's event, filed under
        /// its `host`; false when `_raw` is no such line.
        mutating func addWebLine(_ node: JSONNode, line: Int, out: inout ReaderOutput) -> Bool {
            guard let r = node["result"], let raw = r["_raw"]?.text,
                  let (kind, channel) = webLines.append(raw, source: r["source"]?.text ?? "", line: line, rendered: &rendered, out: &out)
            else { return false }
            tally.file(host: r["host"]?.text ?? node["host"]?.text ?? "", channel: channel, kind: kind, eventCount: out.batch.count)
            return true
        }

        /// Adds an IIS request exported field by field (`WebExportFields`) as the IIS line it was logged as.
        mutating func addWebRecord(_ node: JSONNode, line: Int, out: inout ReaderOutput) {
            let value: (String) -> String? = { JSONEventShape.value(node, $0) }
            guard let family = WebExportFields.shipped.family(of: value) else { return }
            let time = family.names("date-time").lazy.compactMap { JSONTime.parse(node[$0] ?? node.at($0)) }.first
            let (server, site) = webRecords.read(family, time: time, value: value, line: line, rendered: &rendered, out: &out)
            tally.file(host: server, channel: site, kind: .iis, eventCount: out.batch.count)
        }

        /// Scalars of a value as `name=value` pairs, nested names joined with dots.
        static func flatten(_ v: JSONNode, prefix: String, into out: inout [(String, String)]) {
            switch v {
            case .object(let members):
                for m in members { flatten(m.value, prefix: prefix.isEmpty ? m.key : prefix + "." + m.key, into: &out) }
            default:
                out.append((prefix.isEmpty ? "value" : prefix.replacingOccurrences(of: "=", with: "_"), JSONEventShape.flatText(v)))
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

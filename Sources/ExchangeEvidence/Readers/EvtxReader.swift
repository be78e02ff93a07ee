/// Windows `.evtx` event logs, read natively with libyal's libevtx.
///
/// Every record becomes one `keyValue` line (see `WindowsEvent.pairs`): the System values from the record's
/// XML (libevtx 20181227 has no API for TimeCreated, EventRecordID or Channel), then the EventData values from
/// libevtx's strings API, named from the XML. A record libevtx cannot parse is tried with `InlineBinXML`
/// (WEC-forwarded records); if that fails too it becomes a problem with its record number. Either way the
/// rest of the file loads. Records recovered from slack space are kept too, labelled `Recovered=true`, when
/// they are complete and not a copy of a normal record; they may come from another channel than the file's
/// (slack of the original log).
///
/// Event line numbers are record numbers: 1…N for the records, then N+1… for recovered ones.
public struct EvtxReader: EvidenceReader {
    public init() {}
    public var name: String { "evtx" }
    public var readsText: Bool { false }

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        EventXMLScanner.has(head, 0, "ElfFile\0") ? 100 : 0
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .eventLog
        do {
            try EvtxPath.with(input) { path in
                do {
                    let file = try EvtxFile(path: path)
                    read(file, bytes: input.bytes, into: &output)
                } catch {
                    output.problems.add(LoadProblem("cannot open as EVTX: \((error as? EvtxError)?.text ?? "\(error)")"))
                }
            }
        } catch {
            output.problems.add(LoadProblem((error as? EvtxError)?.text ?? "\(error)"))
        }
    }

    private func read(_ file: EvtxFile, bytes: UnsafeRawBufferPointer, into output: inout ReaderOutput) {
        let schema = output.batch.addSchema(WindowsEvent.schema)
        var rendered: [UInt8] = []
        var xml = [UInt8](repeating: 0, count: 256 << 10)
        var seen = Set<String>()
        var channels: [String: Int] = [:]
        var computers: [String: Int] = [:]
        let count = file.recordCount
        rendered.reserveCapacity(count * 600)

        var failed: [(index: Int, why: String)] = []
        func keep(_ ev: WindowsEvent, _ time: Int64, line: Int) {
            ev.append(to: &output, rendered: &rendered, schema: schema, line: line, time: time, recovered: false)
            seen.insert(ev.channel + "\u{0}" + ev.recordID)
            channels[ev.channel, default: 0] += 1
            computers[ev.computer, default: 0] += 1
        }
        for i in 0..<count {
            do {
                let (ev, time) = try file.withRecord(i, recovered: false) { try decode($0, xml: &xml) }
                keep(ev, time, line: i + 1)
            } catch {
                failed.append((i, (error as? EvtxError)?.text ?? "\(error)"))
            }
        }

        // Records libevtx cannot parse: forwarded (template-less) ones are read by the fallback parser.
        var unreadable = 0, fallback = 0
        let walked = failed.isEmpty ? [] : EvtxRecordWalker.records(bytes)
        for (i, why) in failed {
            if walked.count == count, let (ev, time) = EvtxRecordWalker.inlineEvent(bytes, walked[i]) {
                keep(ev, time, line: i + 1)
                fallback += 1
                output.problems.add(LoadProblem(line: i + 1,
                    "record \(i + 1): libevtx cannot read it (\(why)); read by exhunt's parser for forwarded (template-less) records"),
                    kind: "record read by the fallback parser")
            } else {
                unreadable += 1
                output.problems.add(LoadProblem(line: i + 1, "record \(i + 1) of \(count) unreadable (libevtx: \(why))"),
                                    kind: "unreadable EVTX record")
            }
        }

        // Slack space: most candidates fail or are fragments; keep the complete, new ones.
        let slack = file.recoveredCount
        var recovered = 0, fragments = 0
        for j in 0..<slack {
            guard let (ev, time) = try? file.withRecord(j, recovered: true, { try decode($0, xml: &xml) }),
                  !ev.timeCreated.isEmpty, !ev.recordID.isEmpty, !ev.eventID.isEmpty
            else { fragments += 1; continue }
            guard seen.insert(ev.channel + "\u{0}" + ev.recordID).inserted else { continue }
            ev.append(to: &output, rendered: &rendered, schema: schema, line: count + j + 1, time: time, recovered: true)
            recovered += 1
        }

        output.rendered = rendered
        output.records = count
        output.channel = Self.mostCommon(channels) ?? ""
        // The host that logged the events, for naming the server when the evidence layout does not.
        if let host = Self.mostCommon(computers), !host.isEmpty {
            output.facts["server"] = String(host.prefix { $0 != "." })
        }
        let flags = file.flags
        output.facts["evtx.version"] = file.formatVersion
        output.facts["evtx.records"] = "\(count)"
        output.facts["evtx.unreadable"] = "\(unreadable)"
        output.facts["evtx.fallback"] = "\(fallback)"
        output.facts["evtx.recovered"] = "\(recovered)"
        output.facts["evtx.slack.unreadable"] = "\(fragments)"
        if flags & 0x1 != 0 {
            output.facts["evtx.dirty"] = "true"
            output.problems.add(LoadProblem(
                "log is marked dirty (not closed cleanly): \(count - unreadable) records read, \(recovered) recovered from slack space"))
        }
    }

    static func mostCommon(_ counts: [String: Int]) -> String? {
        counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }

    /// Copies everything needed out of a borrowed record.
    private func decode(_ rec: EvtxRecord, xml: inout [UInt8]) throws -> (WindowsEvent, Int64) {
        let len = try rec.xml(into: &xml)
        var ev = xml.withUnsafeBytes { EventXMLScanner.scan(UnsafeRawBufferPointer(rebasing: $0[0..<len])) }
        // The strings API gives exact values (the XML renders a "\n" value as empty); the XML gives the names.
        if var values = rec.strings() {
            if ev.binary != nil && values.count == ev.data.count + 1 { values.removeLast() }
            if values.count == ev.data.count {
                for k in values.indices { ev.data[k].value = values[k] }
            }
        }
        if ev.recordID.isEmpty, ev.hasSystem { ev.recordID = String(rec.identifier) }
        var time = ev.time
        if time == Timestamp.unknown && ev.hasSystem { time = rec.writtenTime }
        return (ev, time)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one 64 KiB chunk of an `.evtx` file on its own (names and templates are referenced by chunk
/// offsets, so chunks parse independently and in parallel): checks its header, walks its records up to the
/// free-space offset, and carves records left in slack space, keeping only those whose template checks out.
///
/// At load (`render` false) each record yields only what the store indexes (time, ids, channel, computer, user,
/// client address) and points at its own bytes; `render` true writes each record's `keyValue` line into
/// `lines`, for `EvtxRecordRenderer`. Nothing is allocated per record, except to look up the names of a rendered
/// record whose values have none (`EventAssembler.positionalNames`).
struct EvtxChunk {
    struct Record {
        /// Where the record is: its line in `lines` when rendering, else its bytes in the chunk.
        var start: Int
        var length: Int
        var time: Int64
        /// EventRecordID from the event (header id when the event has none), for de-duplicating slack copies.
        var recordID: UInt64
        var channel: Int
        /// Index into the chunk's `computers`: a collector's forwarded events name many machines.
        var computer: Int
        var recovered: Bool
        var user: (Int, Int)
        var ip: (Int, Int)
    }

    struct Problem {
        var recordID: UInt64?
        var kind: String
        var message: String
    }

    let index: Int
    let fileOffset: Int
    let chunk: UnsafeRawPointer
    let limit: Int
    let checkCRC: Bool
    let render: Bool

    var records: [Record] = []
    var lines = ByteSink(capacity: 1 << 16)
    var values = ByteSink(capacity: 1024)
    var channels: [[UInt8]] = []
    /// The computer names the chunk's records give, in order of first use, and how many indexed records name each.
    var computers: [[UInt8]] = []
    var computerCounts: [Int] = []
    var problems: [Problem] = []
    var slackRejected = 0
    var isEmpty = false

    private var compiler: BinXMLCompiler
    private var templates: [Int: BinXMLTemplate?] = [:]
    private var asm = EventAssembler()
    private var subs: [(type: UInt8, offset: Int, size: Int)] = []
    private var lastChannel = -1
    /// Where the chunk's current contents end: BinXML at or after it is older (slack) and may only refer to
    /// names and templates that are older too.
    private var boundary = 512
    private var lastComputer = -1

    init(index: Int, file: UnsafeRawBufferPointer, checkCRC: Bool, render: Bool = false) {
        self.index = index
        self.render = render
        asm.indexOnly = !render
        fileOffset = EvtxLayout.chunkOffset(index)
        chunk = file.baseAddress! + fileOffset
        limit = min(EvtxLayout.chunkSize, file.count - fileOffset)
        self.checkCRC = checkCRC
        compiler = BinXMLCompiler(chunk: chunk, limit: limit)
    }

    /// False once `dropDecoder` released what only parsing needs.
    private var hasDecoder = true

    func free() {
        if hasDecoder { lines.free(); compiler.free(); asm.free() }
        values.free()
    }

    /// Releases what only parsing needs (line buffer, names, compiled templates, assembler), keeping the indexed
    /// records: a load holds every chunk's results until they are merged, and no more of each chunk than that.
    mutating func dropDecoder() {
        guard hasDecoder else { return }
        lines.free(); compiler.free(); asm.free()
        compiler.forgetNames()
        hasDecoder = false
        templates = [:]
        subs = []
    }

    @inline(__always) private func u32(_ o: Int) -> Int { Int(chunk.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    @inline(__always) private func u64(_ o: Int) -> UInt64 { chunk.loadUnaligned(fromByteOffset: o, as: UInt64.self) }

    private var name: String { "chunk \(index) (offset \(fileOffset))" }

    /// Sets up the chunk for rendering single records (`renderRecord`) without walking it: the slack boundary
    /// exactly as `read` sets it, so a record replays with the same names and templates it was indexed with.
    mutating func prepare() {
        boundary = 512
        guard limit >= 512, EvtxLayout.has(chunk, "ElfChnk\0") else { return }
        let free = u32(48)
        boundary = free < 512 || free > EvtxLayout.chunkSize ? limit : min(free, limit)
    }

    /// Renders the record of `size` bytes at chunk offset `off` (one `read` accepted) into `lines`; its line, or
    /// nil when it no longer parses (the file changed on disk since it was loaded).
    mutating func renderRecord(at off: Int, size: Int, recovered: Bool) -> UnsafeRawBufferPointer? {
        lines.count = 0
        records.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        guard off >= 0, off + size <= limit, readRecord(at: off, size: size, recovered: recovered), let r = records.last else { return nil }
        return UnsafeRawBufferPointer(start: lines.base + r.start, count: r.length)
    }

    mutating func read() {
        guard limit >= 512 else {
            if !allZero(0, limit) { problem(nil, "truncated chunk", "\(name): only \(limit) bytes, too short for a chunk header") }
            isEmpty = true
            return
        }
        let magic = EvtxLayout.has(chunk, "ElfChnk\0")
        if !magic {
            if allZero(0, limit) { isEmpty = true; return }
            problem(nil, "bad chunk header", "\(name): no ElfChnk signature; its records are kept only when their template checks out, marked recovered")
            boundary = 512
            carve(from: 512)
            return
        }
        if limit < EvtxLayout.chunkSize {
            problem(nil, "truncated chunk", "\(name): file ends \(limit) bytes into this chunk; the records that fit are read")
        }
        let free = u32(48)
        var end = free
        boundary = min(max(free, 512), limit)
        if free < 512 || free > EvtxLayout.chunkSize {
            problem(nil, "damaged chunk header", "\(name): free-space offset \(free) is out of range; records read until one does not check out")
            end = limit
            boundary = limit
        } else if free > limit {
            end = limit
        }
        if checkCRC {
            var crc = CRC32.update(0, chunk, 120)
            crc = CRC32.update(crc, chunk + 128, 384)
            if crc != UInt32(u32(124)) { problem(nil, "bad chunk CRC", "\(name): header CRC32 does not match; records read anyway") }
            if free >= 512 && free <= limit, CRC32.update(0, chunk + 512, free - 512) != UInt32(u32(52)) {
                problem(nil, "bad chunk CRC", "\(name): records CRC32 does not match; records read anyway")
            }
        }
        var off = 512
        while off + 24 <= end {
            guard let size = recordSize(at: off, limit: min(end, limit)) else { break }
            readRecord(at: off, size: size, recovered: false)
            off += size
        }
        if off < min(end, limit) && off + 24 <= min(end, limit) {
            // Name the record when its signature survived (its header then still holds the record number).
            let which = u32(off) == 0x2A2A ? "record \(u64(off + 8)) at" : "record header at"
            problem(u64(off + 8), "damaged record", "\(name): \(which) chunk offset \(off) does not check out before the free-space offset \(end); the rest of the chunk is searched for complete records")
        }
        carve(from: off)
    }

    /// The size of a well-formed record at `off` (signature, size within bounds, trailing size copy).
    private func recordSize(at off: Int, limit: Int) -> Int? {
        guard off + 28 <= limit, u32(off) == 0x2A2A else { return nil }
        let size = u32(off + 4)
        guard size >= 28, off + size <= limit, size % 4 == 0, u32(off + size - 4) == size else { return nil }
        return size
    }

    /// Searches `from..<limit` (slack space, or a chunk whose header is gone) for complete records.
    private mutating func carve(from start: Int) {
        var off = (start + 7) & ~7
        while off + 28 <= limit {
            if u32(off) == 0x2A2A, let size = recordSize(at: off, limit: limit) {
                if readRecord(at: off, size: size, recovered: true) { off += size; continue }
                slackRejected += 1
            }
            off += 8
        }
    }

    private func allZero(_ from: Int, _ to: Int) -> Bool {
        var i = from
        while i + 8 <= to { if chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 { return false }; i += 8 }
        while i < to { if chunk.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }; i += 1 }
        return true
    }

    private mutating func problem(_ record: UInt64?, _ kind: String, _ message: String) {
        problems.append(Problem(recordID: record, kind: kind, message: message))
    }

    /// Reads one record; a recovered one is kept only when its template checks out and it is a complete event.
    @discardableResult
    private mutating func readRecord(at off: Int, size: Int, recovered: Bool) -> Bool {
        asm.reset()
        let headerID = u64(off + 8)
        var p = off + 24
        let end = off + size - 4
        let ok = fragment(&p, end: end, strict: recovered, nesting: 0)
        if !ok || !asm.hasSystem {
            if !recovered {
                problem(headerID, "unreadable EVTX record", "record \(headerID) at \(name) offset \(off): its binary XML does not parse; skipped")
            }
            return false
        }
        if recovered && (asm.ticks == nil || asm.sysRange[EventAssembler.recordID].1 == 0 || asm.sysRange[EventAssembler.eventID].1 == 0) {
            return false
        }
        emit(at: off, size: size, headerID: headerID, writtenTime: u64(off + 16), recovered: recovered)
        return true
    }

    /// A BinXML fragment: a template instance (with its substitution values) or an inline element tree.
    private mutating func fragment(_ p: inout Int, end: Int, strict: Bool, nesting: Int) -> Bool {
        guard nesting < 8, p + 4 <= end else { return false }
        if chunk.load(fromByteOffset: p, as: UInt8.self) == 0x0F { p += 4 }
        guard p < end else { return false }
        let token = chunk.load(fromByteOffset: p, as: UInt8.self)
        if token != 0x0C {
            if strict && nesting == 0 { return false }
            var t = BinXMLTemplate()
            compiler.minBackReference = p >= boundary ? boundary : 0
            guard compiler.compile(&p, end: end, into: &t) else { return false }
            return replay(t, base: subs.count, count: 0, strict: strict, nesting: nesting)
        }
        guard p + 10 <= end else { return false }
        let templateID = UInt32(u32(p + 2))
        let defOffset = u32(p + 6)
        p += 10
        if defOffset == p {
            // The definition is stored inline (first use in this chunk): skip it.
            guard defOffset + 24 <= end else { return false }
            p = defOffset + 24 + u32(defOffset + 20)
        }
        guard let template = self.template(at: defOffset, before: p) else { return false }
        if strict && template.id != templateID { return false }
        guard p + 4 <= end else { return false }
        let count = u32(p)
        p += 4
        guard count <= 4096, p + count * 4 <= end else { return false }
        let base = subs.count
        defer { subs.removeLast(subs.count - base) }
        var at = p + count * 4
        for k in 0..<count {
            let size = Int(chunk.loadUnaligned(fromByteOffset: p + 4 * k, as: UInt16.self))
            let type = chunk.load(fromByteOffset: p + 4 * k + 2, as: UInt8.self)
            subs.append((type, at, size))
            at += size
        }
        guard at <= end else { return false }
        p = at
        if strict {
            guard count > template.maxIndex else { return false }
            for k in 0..<(template.maxIndex + 1) {
                let declared = template.declared[k], v = subs[base + k]
                if !Self.compatible(declared, v.type) { return false }
            }
        }
        return replay(template, base: base, count: count, strict: strict, nesting: nesting)
    }

    /// The compiled template defined at `offset` (cached), or nil when it does not parse.
    private mutating func template(at offset: Int, before: Int) -> BinXMLTemplate? {
        if let hit = templates[offset] { return hit }
        var result: BinXMLTemplate?
        if offset >= 512, offset + 24 <= limit {
            var t = BinXMLTemplate()
            t.id = UInt32(u32(offset + 4))
            let size = u32(offset + 20)
            var p = offset + 24
            let end = min(limit, p + size)
            compiler.minBackReference = offset >= boundary ? boundary : 0
            if compiler.compile(&p, end: end, into: &t) { result = t }
        }
        templates[offset] = result
        return result
    }

    /// Plays a compiled fragment into the assembler, substituting `values`.
    private mutating func replay(_ t: BinXMLTemplate, base: Int, count: Int, strict: Bool, nesting: Int) -> Bool {
        var ok = true
        t.literals.withUnsafeBytes { lit in
            for op in t.ops {
                switch op.kind {
                case .open:
                    if asm.tooDeep { ok = false; return }
                    asm.open(op.a)
                case .closeStart: asm.closeStart()
                case .closeEmpty, .end: asm.close(names: compiler.names)
                case .attribute: asm.attribute(op.a)
                case .text: if op.b > 0 { asm.text(lit.baseAddress! + Int(op.a), Int(op.b)) }
                case .substitution:
                    let k = Int(op.a)
                    guard k < count else { continue }
                    let v = subs[base + k]
                    if v.size == 0 { continue }
                    if v.type == BinXMLValue.binXML {
                        if asm.wantsContent {
                            var p = v.offset
                            if !fragment(&p, end: v.offset + v.size, strict: strict, nesting: nesting + 1) { ok = false; return }
                        }
                    } else {
                        asm.value(v.type, chunk + v.offset, v.size)
                    }
                }
            }
        }
        return ok
    }

    /// Notes the record's column values, and writes its line when rendering.
    private mutating func emit(at off: Int, size: Int, headerID: UInt64, writtenTime: UInt64, recovered: Bool) {
        var ticks = asm.ticks
        if ticks == nil && writtenTime != 0 { ticks = Int64(bitPattern: writtenTime &- BinXMLValue.epochTicks) }
        let time = ticks.map { $0 >= 0 ? $0 / 10_000 : ($0 - 9_999) / 10_000 } ?? Timestamp.unknown
        guard render else {
            var recordID = headerID
            if asm.sysRange[EventAssembler.recordID].1 > 0 { recordID = Self.decimal(asm.system(EventAssembler.recordID)) ?? headerID }
            note(Record(start: off, length: size, time: time, recordID: recordID, channel: channelIndex(),
                        computer: computerIndex(), recovered: recovered, user: (0, 0), ip: (0, 0)))
            return
        }
        let start = lines.count
        lines.append("TimeCreated=")
        if let ticks { BinXMLValue.appendTicks(ticks, into: &lines) }
        lines.append("\tEventRecordID=")
        var recordID = headerID
        if asm.sysRange[EventAssembler.recordID].1 > 0 {
            let r = asm.system(EventAssembler.recordID)
            lines.appendEscaped(r.baseAddress!, r.count)
            recordID = Self.decimal(r) ?? headerID
        } else {
            lines.appendDecimal(headerID)
        }
        field("\tEventID=", EventAssembler.eventID)
        field("\tLevel=", EventAssembler.level)
        field("\tProvider=", asm.sysRange[EventAssembler.provider].1 > 0 ? EventAssembler.provider : EventAssembler.sourceName)
        field("\tChannel=", EventAssembler.channel)
        field("\tComputer=", EventAssembler.computer)
        field("\tUserSID=", EventAssembler.userSID)
        if let names = asm.positionalNames() { asm.appendData(into: &lines, names: names) } else { lines.append(asm.data) }
        if asm.hasBinary {
            lines.append("\tBinary=")
            lines.appendEscaped(asm.binary.base, asm.binary.count)
        }
        if recovered { lines.append("\tRecovered=true") }
        records.append(Record(start: start, length: lines.count - start, time: time, recordID: recordID, channel: 0,
                              computer: 0, recovered: recovered, user: (0, 0), ip: (0, 0)))
        lines.append(0x0A)
    }

    /// Keeps an indexed record with its interned values, and counts its computer name.
    private mutating func note(_ record: Record) {
        var rec = record
        if let u = asm.user { rec.user = (values.count, u.count); values.append(u.baseAddress!, u.count) }
        if let ip = asm.clientIP { rec.ip = (values.count, ip.count); values.append(ip.baseAddress!, ip.count) }
        records.append(rec)
        if !rec.recovered { computerCounts[rec.computer] += 1 }
    }

    /// The index of the record's computer name in `computers` (consecutive records almost always share it).
    private mutating func computerIndex() -> Int {
        let c = asm.system(EventAssembler.computer)
        if lastComputer >= 0, computers[lastComputer].count == c.count,
           c.count == 0 || memcmp(c.baseAddress!, computers[lastComputer], c.count) == 0 { return lastComputer }
        if let i = computers.firstIndex(where: { $0.count == c.count && $0.elementsEqual(c) }) { lastComputer = i; return i }
        computers.append(Array(c))
        computerCounts.append(0)
        lastComputer = computers.count - 1
        return lastComputer
    }

    private mutating func field(_ key: StaticString, _ slot: Int) {
        lines.append(key)
        let v = asm.system(slot)
        if v.count > 0 { lines.appendEscaped(v.baseAddress!, v.count) }
    }

    /// The index of the record's channel in `channels` (consecutive records share it, so compare first).
    private mutating func channelIndex() -> Int {
        let c = asm.system(EventAssembler.channel)
        if lastChannel >= 0, channels[lastChannel].count == c.count,
           c.count == 0 || memcmp(c.baseAddress!, channels[lastChannel], c.count) == 0 { return lastChannel }
        if let i = channels.firstIndex(where: { $0.count == c.count && $0.elementsEqual(c) }) { lastChannel = i; return i }
        channels.append(Array(c))
        lastChannel = channels.count - 1
        return lastChannel
    }

    /// Whether a value of type `actual` may fill a substitution declared as `declared`: the same type, a null
    /// value, or the pointer-sized and hex integers Windows writes interchangeably (SizeT declared, HexInt64 written).
    static func compatible(_ declared: UInt8, _ actual: UInt8) -> Bool {
        if declared == actual || actual == 0 || declared == 0 { return true }
        let hex: Set<UInt8> = [0x10, 0x14, 0x15]
        return hex.contains(declared) && hex.contains(actual)
    }

    private static func decimal(_ b: UnsafeRawBufferPointer) -> UInt64? {
        guard b.count > 0, b.count <= 19 else { return nil }
        var v: UInt64 = 0
        for c in b {
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + UInt64(c - 48)
        }
        return v
    }
}

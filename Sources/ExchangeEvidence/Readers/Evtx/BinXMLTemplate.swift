/// A BinXML fragment compiled once into a flat list of operations, so that every record using a template
/// replays integers instead of re-reading tokens and UTF-16 names. Templates are cached per chunk by the
/// offset of their definition (a record names its template by that offset).
struct BinXMLTemplate {
    enum Kind: UInt8 {
        case open = 1, closeStart, closeEmpty, end, attribute, text, substitution
    }

    struct Op {
        var kind: Kind
        /// Declared value type of a substitution.
        var type: UInt8 = 0
        /// Name id (open, attribute), literal start (text) or substitution index.
        var a: Int32 = 0
        /// Literal length (text).
        var b: Int32 = 0
    }

    var ops: [Op] = []
    /// UTF-8 text of the literal values and references, addressed by `text` ops.
    var literals: [UInt8] = []
    /// The first four bytes of the definition's GUID: the id a template instance names it by.
    var id: UInt32 = 0
    /// Highest substitution index used, or -1.
    var maxIndex = -1
    /// Declared type per substitution index (for checking records recovered from slack space).
    var declared: [UInt8] = []
}

/// Names (element and attribute) by id: the ones the event assembler looks for have fixed ids.
struct BinXMLNames {
    static let known: [StaticString] = [
        "Event", "System", "Provider", "EventID", "Level", "TimeCreated", "EventRecordID", "Channel", "Computer",
        "Security", "EventData", "Data", "Binary", "UserData", "Name", "EventSourceName", "SystemTime", "UserID",
    ]
    static let event: Int32 = 0, system: Int32 = 1, provider: Int32 = 2, eventID: Int32 = 3, level: Int32 = 4
    static let timeCreated: Int32 = 5, eventRecordID: Int32 = 6, channel: Int32 = 7, computer: Int32 = 8
    static let security: Int32 = 9, eventData: Int32 = 10, data: Int32 = 11, binary: Int32 = 12, userData: Int32 = 13
    static let name: Int32 = 14, eventSourceName: Int32 = 15, systemTime: Int32 = 16, userID: Int32 = 17

    private(set) var utf8: [[UInt8]]
    private var ids: [[UInt8]: Int32] = [:]

    init() {
        utf8 = Self.known.map { s in Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        for (i, n) in utf8.enumerated() { ids[n] = Int32(i) }
    }

    mutating func id(_ bytes: [UInt8]) -> Int32 {
        if let i = ids[bytes] { return i }
        let i = Int32(utf8.count)
        utf8.append(bytes)
        ids[bytes] = i
        return i
    }
}

/// Reads BinXML tokens of one chunk into `BinXMLTemplate`s. Every read is bounds-checked against the chunk
/// (`limit` may be short of 64 KiB when the file is cut off); malformed input returns nil, never traps.
struct BinXMLCompiler {
    let chunk: UnsafeRawPointer
    let limit: Int
    var names = BinXMLNames()
    /// Name id by the chunk offset of its name structure.
    private var nameAt: [UInt32: Int32] = [:]
    private var scratch = ByteSink(capacity: 256)
    /// Names referenced below this offset are refused: set while compiling a definition found in slack space,
    /// whose earlier names were overwritten by the chunk's current records.
    var minBackReference = 0

    init(chunk: UnsafeRawPointer, limit: Int) {
        self.chunk = chunk
        self.limit = limit
    }

    func free() { scratch.free() }

    /// Drops the names read so far (the chunk is done with).
    mutating func forgetNames() {
        names = BinXMLNames()
        nameAt = [:]
    }

    @inline(__always) func u8(_ o: Int) -> UInt8 { chunk.load(fromByteOffset: o, as: UInt8.self) }
    @inline(__always) func u16(_ o: Int) -> Int { Int(chunk.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    @inline(__always) func u32(_ o: Int) -> Int { Int(chunk.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }

    /// The name structure at `offset` (next u32, hash u16, length u16, UTF-16, NUL) as an id; when it sits at
    /// the cursor it is stored inline and the cursor moves past it.
    mutating func name(at offset: Int, cursor: inout Int) -> Int32? {
        guard offset >= 0, offset + 8 <= limit, offset == cursor || offset >= minBackReference else { return nil }
        let n = u16(offset + 6)
        let end = offset + 8 + n * 2 + 2
        guard end <= limit else { return nil }
        if offset == cursor { cursor = end }
        if offset >= minBackReference, let id = nameAt[UInt32(offset)] { return id }
        scratch.count = 0
        scratch.appendUTF16(chunk + offset + 8, units: n)
        let id = names.id(scratch.array)
        nameAt[UInt32(offset)] = id
        return id
    }

    /// Compiles the fragment starting at `p` (a template body or a template-less record) up to `end`.
    /// `p` is advanced past the end-of-fragment token.
    mutating func compile(_ p: inout Int, end: Int, into t: inout BinXMLTemplate) -> Bool {
        var depth = 0
        while p < end {
            let token = u8(p)
            switch token & 0xBF {
            case 0x00:
                p += 1
                return depth == 0
            case 0x0F:
                p += 4
            case 0x01:
                // Open start element. Records written by Event Forwarding omit the 2-byte dependency id: the
                // name offset is then at +5 instead of +7. A real name offset is below 64 KiB, so the upper half
                // of the misread field tells the two layouts apart.
                guard p + 11 <= end else { return false }
                let withDep = u32(p + 7)
                let nameField = withDep < 0x10000 && withDep >= 0 && u32(p + 5) >= 0x10000 ? p + 7
                    : (u32(p + 5) < 0x10000 ? p + 5 : p + 7)
                var cursor = nameField + 4
                guard let id = name(at: u32(nameField), cursor: &cursor) else { return false }
                p = cursor
                if token & 0x40 != 0 { p += 4 }
                t.ops.append(.init(kind: .open, a: id))
                depth += 1
            case 0x02:
                t.ops.append(.init(kind: .closeStart)); p += 1
            case 0x03:
                t.ops.append(.init(kind: .closeEmpty)); p += 1; depth -= 1
            case 0x04:
                t.ops.append(.init(kind: .end)); p += 1; depth -= 1
            case 0x05:
                guard p + 2 <= end else { return false }
                let type = u8(p + 1)
                p += 2
                let start = t.literals.count
                scratch.count = 0
                if type == BinXMLValue.string {
                    guard p + 2 <= end else { return false }
                    let n = u16(p)
                    guard p + 2 + n * 2 <= end else { return false }
                    scratch.appendUTF16(chunk + p + 2, units: n)
                    p += 2 + n * 2
                } else {
                    let size = BinXMLValue.fixedSize(type)
                    guard size > 0, p + size <= end else { return false }
                    BinXMLValue.render(type, chunk + p, size, into: &scratch)
                    p += size
                }
                t.literals.append(contentsOf: UnsafeRawBufferPointer(start: scratch.base, count: scratch.count))
                t.ops.append(.init(kind: .text, a: Int32(start), b: Int32(scratch.count)))
            case 0x06:
                guard p + 5 <= end else { return false }
                var cursor = p + 5
                guard let id = name(at: u32(p + 1), cursor: &cursor) else { return false }
                p = cursor
                t.ops.append(.init(kind: .attribute, a: id))
            case 0x07:
                guard p + 3 <= end else { return false }
                let n = u16(p + 1)
                guard p + 3 + n * 2 <= end else { return false }
                scratch.count = 0
                scratch.appendUTF16(chunk + p + 3, units: n)
                appendLiteral(&t)
                p += 3 + n * 2
            case 0x08:
                guard p + 3 <= end else { return false }
                scratch.count = 0
                scratch.appendScalar(UInt32(u16(p + 1)))
                appendLiteral(&t)
                p += 3
            case 0x09:
                guard p + 5 <= end else { return false }
                var cursor = p + 5
                guard let id = name(at: u32(p + 1), cursor: &cursor) else { return false }
                p = cursor
                scratch.count = 0
                let n = names.utf8[Int(id)]
                switch n {
                case Array("lt".utf8): scratch.append(UInt8(ascii: "<"))
                case Array("gt".utf8): scratch.append(UInt8(ascii: ">"))
                case Array("amp".utf8): scratch.append(UInt8(ascii: "&"))
                case Array("quot".utf8): scratch.append(UInt8(ascii: "\""))
                case Array("apos".utf8): scratch.append(UInt8(ascii: "'"))
                default: scratch.append(UInt8(ascii: "&")); scratch.append(n); scratch.append(UInt8(ascii: ";"))
                }
                appendLiteral(&t)
            case 0x0A:
                guard p + 5 <= end else { return false }
                var cursor = p + 5
                guard name(at: u32(p + 1), cursor: &cursor) != nil else { return false }
                p = cursor
            case 0x0B:
                guard p + 3 <= end else { return false }
                p += 3 + u16(p + 1) * 2
            case 0x0D, 0x0E:
                guard p + 4 <= end else { return false }
                let index = u16(p + 1)
                let type = u8(p + 3)
                p += 4
                t.ops.append(.init(kind: .substitution, type: type, a: Int32(index), b: token == 0x0E ? 1 : 0))
                if index > t.maxIndex {
                    t.declared.append(contentsOf: repeatElement(0, count: index - t.maxIndex))
                    t.maxIndex = index
                }
                t.declared[index] = type
            default:
                return false
            }
            if depth < 0 { return false }
        }
        return false
    }

    private mutating func appendLiteral(_ t: inout BinXMLTemplate) {
        let start = t.literals.count
        t.literals.append(contentsOf: UnsafeRawBufferPointer(start: scratch.base, count: scratch.count))
        t.ops.append(.init(kind: .text, a: Int32(start), b: Int32(scratch.count)))
    }
}

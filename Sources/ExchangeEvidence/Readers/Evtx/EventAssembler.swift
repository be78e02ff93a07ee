/// Turns the element/attribute/value stream of one record into its stored `keyValue` line: the System values
/// the store's columns and rules use, then every EventData/UserData value under its name, exactly as
/// `WindowsEvent.pairs` lays out events read from XML exports.
///
/// Values are rendered into reused byte buffers only for the elements it keeps; no String or Dictionary is
/// made per record.
struct EventAssembler {
    /// System values, in `WindowsEvent.systemKeys` order (TimeCreated is kept as ticks instead).
    static let recordID = 0, eventID = 1, level = 2, provider = 3, channel = 4, computer = 5, userSID = 6, sourceName = 7
    private static let systemSlots = 8

    private enum Target: UInt8 { case none, system, data, binary, userData }

    var sys = ByteSink(capacity: 512)
    var sysRange = [(Int, Int)](repeating: (0, 0), count: systemSlots)
    var data = ByteSink(capacity: 4096)
    var cap = ByteSink(capacity: 1024)
    var attr = ByteSink(capacity: 256)
    var dataName = ByteSink(capacity: 128)
    var binary = ByteSink(capacity: 256)
    var hasBinary = false
    /// User (Sysmon `User`, `SubjectUserName`, `TargetUserName`) and `IpAddress` candidates.
    var interned = ByteSink(capacity: 256)
    var candidates = [(Int, Int)](repeating: (0, -1), count: 4)
    var ticks: Int64?
    var hasSystem = false
    /// At load only the System values and the user/address candidates are needed: other event data and binary
    /// values are skipped, not rendered (the line is rendered on demand, with this off).
    var indexOnly = false
    /// The current Data element's value is needed (always when rendering; at load only for a candidate name).
    private var dataWanted = true
    var dataCount = 0
    /// The values written as `DataN` for want of a name of their own.
    private var unnamedCount = 0

    private var stack = [Int32](repeating: 0, count: 64)
    private var depth = 0
    private var target = Target.none
    private var targetDepth = 0
    private var slot = 0
    private var attrSlot = -1
    private var dataHasName = false
    private var elementName: Int32 = -1
    /// Between an attribute token and the end of the start tag: values belong to an attribute.
    private var inAttribute = false
    /// The current Data element already produced its values (an array substitution: one value per element).
    private var dataDone = false

    func free() {
        sys.free(); data.free(); cap.free(); attr.free(); dataName.free(); binary.free(); interned.free()
    }

    mutating func reset() {
        sys.count = 0
        for k in 0..<Self.systemSlots { sysRange[k] = (0, 0) }
        data.count = 0
        binary.count = 0
        hasBinary = false
        interned.count = 0
        for k in 0..<4 { candidates[k] = (0, -1) }
        ticks = nil
        hasSystem = false
        dataCount = 0
        unnamedCount = 0
        depth = 0
        target = .none
        attrSlot = -1
    }

    var tooDeep: Bool { depth >= 63 }

    /// The section of the current element: the name id at depth 1 (`System`, `EventData`, `UserData`).
    private var section: Int32 { depth >= 2 ? stack[1] : -1 }

    mutating func open(_ name: Int32) {
        finishAttribute()
        inAttribute = false
        if target == .userData { target = .none }     // a UserData element with children: read its leaves
        let d = depth
        if depth < 63 { stack[depth] = name; depth += 1 }
        elementName = name
        dataHasName = false
        if d == 1 && name == BinXMLNames.system { hasSystem = true }
        guard d >= 2 else { return }
        let sec = stack[1]
        if d == 2 && sec == BinXMLNames.system {
            switch name {
            case BinXMLNames.eventID: begin(.system, slot: Self.eventID)
            case BinXMLNames.level: begin(.system, slot: Self.level)
            case BinXMLNames.eventRecordID: begin(.system, slot: Self.recordID)
            case BinXMLNames.channel: begin(.system, slot: Self.channel)
            case BinXMLNames.computer: begin(.system, slot: Self.computer)
            default: break
            }
        } else if d == 2 && sec == BinXMLNames.eventData {
            if name == BinXMLNames.data {
                dataName.count = 0
                dataDone = false
                dataWanted = !indexOnly
                begin(.data, slot: 0)
            } else if name == BinXMLNames.binary && !indexOnly {
                begin(.binary, slot: 0)
            }
        } else if d >= 3 && sec == BinXMLNames.userData {
            begin(.userData, slot: Int(name))
        }
    }

    private mutating func begin(_ t: Target, slot s: Int) {
        target = t
        targetDepth = depth
        slot = s
        cap.count = 0
    }

    /// An attribute of the element just opened; its value pieces follow.
    mutating func attribute(_ name: Int32) {
        finishAttribute()
        attrSlot = -1
        inAttribute = true
        guard depth == 3 else { return }
        let sec = section, el = elementName
        if sec == BinXMLNames.system {
            if el == BinXMLNames.provider && name == BinXMLNames.name { attrSlot = Self.provider }
            else if el == BinXMLNames.provider && name == BinXMLNames.eventSourceName { attrSlot = Self.sourceName }
            else if el == BinXMLNames.security && name == BinXMLNames.userID { attrSlot = Self.userSID }
            else if el == BinXMLNames.timeCreated && name == BinXMLNames.systemTime { attrSlot = 100 }
        } else if sec == BinXMLNames.eventData && el == BinXMLNames.data && name == BinXMLNames.name {
            attrSlot = 101
            dataHasName = true
        }
        attr.count = 0
    }

    private mutating func finishAttribute() {
        guard attrSlot >= 0 else { return }
        switch attrSlot {
        case 100:
            if ticks == nil, let t = BinXMLValue.ticks(fromISO: attr.buffer) { ticks = t }
        case 101:
            dataName.count = 0
            dataName.append(attr)
            if indexOnly { dataWanted = Self.candidate(dataName.buffer) != nil }
        default:
            storeSystem(attrSlot, attr)
        }
        attrSlot = -1
    }

    private mutating func storeSystem(_ slot: Int, _ value: ByteSink) {
        let start = sys.count
        sys.append(value)
        sysRange[slot] = (start, sys.count - start)
    }

    /// Literal text inside an element or attribute value.
    mutating func text(_ p: UnsafeRawPointer, _ n: Int) {
        if attrSlot >= 0 { attr.append(p, n); return }
        if inAttribute { return }
        if target != .none && depth == targetDepth { cap.append(p, n) }
    }

    /// A typed substitution value. Returns false when it is not wanted (so the caller may skip rendering).
    mutating func value(_ type: UInt8, _ p: UnsafeRawPointer, _ n: Int) {
        if attrSlot >= 0 {
            if attrSlot == 100 && type == BinXMLValue.fileTime && n >= 8 {
                ticks = Int64(bitPattern: p.loadUnaligned(as: UInt64.self) &- BinXMLValue.epochTicks)
                attrSlot = -1
                return
            }
            BinXMLValue.render(type, p, n, into: &attr)
            return
        }
        if inAttribute { return }
        guard target != .none && depth == targetDepth else { return }
        if target == .data && !dataWanted { return }
        if type & BinXMLValue.array != 0 && target == .data && cap.count == 0 {
            // Windows renders an array in a <Data> element as one <Data> per item.
            BinXMLValue.forEachItem(type, p, n) { t, q, m in
                cap.count = 0
                BinXMLValue.render(t, q, m, into: &cap)
                appendData(name: dataHasName ? dataName.buffer : nil, section: "EventData")
            }
            cap.count = 0
            dataDone = true
            return
        }
        BinXMLValue.render(type, p, n, into: &cap)
    }

    /// Whether a BinXML value here would be read (nested fragments are walked only then, or for structure).
    var wantsContent: Bool { !inAttribute }

    mutating func closeStart() { finishAttribute(); inAttribute = false }

    mutating func close(names: BinXMLNames) {
        finishAttribute()
        inAttribute = false
        if target != .none && depth == targetDepth {
            switch target {
            case .system: storeSystem(slot, cap)
            case .data: if dataWanted && (!dataDone || cap.count > 0) { appendData(name: dataHasName ? dataName.buffer : nil, section: "EventData") }
            case .binary: binary.count = 0; binary.append(cap); hasBinary = true
            case .userData:
                let n = names.utf8[slot]
                n.withUnsafeBytes { appendData(name: $0, section: "UserData") }
            case .none: break
            }
            target = .none
        }
        if depth > 0 { depth -= 1 }
    }

    /// Appends `\tName=Value` for the captured value; the name is made safe and kept apart from System names.
    private mutating func appendData(name: UnsafeRawBufferPointer?, section: StaticString) {
        dataCount += 1
        data.append(0x09)
        if let name, name.count > 0 {
            if Self.isReserved(name) { data.append(section); data.append(UInt8(ascii: ".")) }
            for c in name {
                data.append(c == UInt8(ascii: "=") || c == 0x09 || c == 0x0A || c == 0x0D ? UInt8(ascii: "_") : c)
            }
            if let k = Self.candidate(name), candidates[k].1 < 0 {
                let start = interned.count
                interned.append(cap)
                candidates[k] = (start, cap.count)
            }
        } else {
            unnamedCount += 1
            data.append("Data")
            data.appendDecimal(UInt64(dataCount))
        }
        data.append(UInt8(ascii: "="))
        data.appendEscaped(cap.base, cap.count)
    }

    /// The names `WindowsEventDataNames` gives this record's values when none has a name of its own and a row
    /// fits their count (`CmdletName`, … of the cmdlet log), as `WindowsEvent.namingPositionalData` does for
    /// XML and JSON events; nil when the `DataN` names stay.
    func positionalNames(_ table: WindowsEventDataNames = .shipped) -> [String]? {
        guard dataCount > 0, unnamedCount == dataCount else { return nil }
        let provider = system(sysRange[Self.provider].1 > 0 ? Self.provider : Self.sourceName)
        return table.names(provider: String(decoding: provider, as: UTF8.self),
                           eventID: String(decoding: system(Self.eventID), as: UTF8.self), count: dataCount)
    }

    /// Appends the `\tName=Value` pairs of `data` to `out` with the k-th name replaced by `names[k]` (kept
    /// apart from System names as `appendData` does); values are copied as written.
    func appendData(into out: inout ByteSink, names: [String]) {
        var k = 0, i = 0
        while i < data.count {
            // Each pair starts with a tab; values have theirs escaped, so the next raw tab starts the next pair.
            var eq = i + 1
            while eq < data.count && data.base[eq] != UInt8(ascii: "=") { eq += 1 }
            var end = eq
            while end < data.count && data.base[end] != 0x09 { end += 1 }
            out.append(0x09)
            if k < names.count {
                var name = names[k]
                name.withUTF8 { n in
                    if Self.isReserved(UnsafeRawBufferPointer(n)) { out.append("EventData.") }
                    out.append(n.baseAddress!, n.count)
                }
            } else {
                out.append(data.base + i + 1, eq - i - 1)
            }
            out.append(data.base + eq, end - eq)
            k += 1
            i = end
        }
    }

    private static let reserved: [[UInt8]] = (WindowsEvent.systemKeys + ["Binary", "Message", "Recovered"]).map { Array($0.lowercased().utf8) }

    /// True for a data name that is also a column of the System part (or Binary/Message/Recovered).
    static func isReserved(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count >= 5 && name.count <= 13 else { return false }
        outer: for r in reserved where r.count == name.count {
            for k in 0..<r.count where r[k] != (name[k] | (name[k] >= 65 && name[k] <= 90 ? 0x20 : 0)) { continue outer }
            return true
        }
        return false
    }

    /// 0 User, 1 SubjectUserName, 2 TargetUserName, 3 IpAddress.
    private static func candidate(_ n: UnsafeRawBufferPointer) -> Int? {
        switch n.count {
        case 4: return eq(n, "User") ? 0 : nil
        case 9: return eq(n, "IpAddress") ? 3 : nil
        case 14: return eq(n, "TargetUserName") ? 2 : nil
        case 15: return eq(n, "SubjectUserName") ? 1 : nil
        default: return nil
        }
    }

    private static func eq(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        b.count == s.utf8CodeUnitCount && memcmp(b.baseAddress!, s.utf8Start, b.count) == 0
    }

    func system(_ k: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: sys.base + sysRange[k].0, count: sysRange[k].1)
    }

    /// The user and client address as `WindowsEvent.user`/`clientIP` choose them (`-` is absent).
    func candidate(_ k: Int) -> UnsafeRawBufferPointer? {
        let (s, n) = candidates[k]
        guard n > 0 else { return nil }
        if n == 1 && interned.base[s] == UInt8(ascii: "-") { return nil }
        return UnsafeRawBufferPointer(start: interned.base + s, count: n)
    }

    var user: UnsafeRawBufferPointer? {
        let provider = system(sysRange[Self.provider].1 > 0 ? Self.provider : Self.sourceName)
        return WindowsEvent.namesTarget(provider: provider, eventID: system(Self.eventID))
            ? candidate(0) ?? candidate(2) ?? candidate(1)
            : candidate(0) ?? candidate(1) ?? candidate(2)
    }
    var clientIP: UnsafeRawBufferPointer? { candidate(3) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

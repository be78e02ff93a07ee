#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one `<Event>` element of the Windows event schema into a `WindowsEvent`.
///
/// A byte scanner rather than an XML parser: it needs only the System values, the ordered EventData/UserData
/// values and the rendered message, and must accept what libevtx renders (pretty-printed, double quotes) as well
/// as `wevtutil` exports (one line, single quotes, `RenderingInfo`). Namespace prefixes are ignored.
enum EventXMLScanner {
    /// What the text of the element being read is for.
    private enum Target {
        case eventID, level, recordID, channel, computer, data(String?), binary, userData(String), message
    }

    static func scan(_ p: UnsafeRawBufferPointer) -> WindowsEvent {
        var ev = WindowsEvent()
        var stack: [String] = []
        var target: Target?
        var targetDepth = 0
        var text: [UInt8] = []
        let n = p.count
        var i = 0
        while i < n {
            let c = p[i]
            if c != UInt8(ascii: "<") {
                let start = i
                while i < n && p[i] != UInt8(ascii: "<") { i += 1 }
                if target != nil { text.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i])) }
                continue
            }
            if has(p, i, "<!--") {
                i = find(p, i + 4, "-->").map { $0 + 3 } ?? n
                continue
            }
            if has(p, i, "<![CDATA[") {
                let end = find(p, i + 9, "]]>") ?? n
                if target != nil { text.append(contentsOf: xmlEscapedCDATA(p, i + 9, end)) }
                i = min(n, end + 3)
                continue
            }
            if i + 1 < n && (p[i + 1] == UInt8(ascii: "?") || p[i + 1] == UInt8(ascii: "!")) {
                i = tagEnd(p, i + 2) + 1
                continue
            }
            if i + 1 < n && p[i + 1] == UInt8(ascii: "/") {
                // End tag.
                let end = tagEnd(p, i + 2)
                i = end + 1
                if let t = target, stack.count == targetDepth {
                    finish(t, XMLText.unescape(text), into: &ev)
                    target = nil
                    text.removeAll(keepingCapacity: true)
                }
                if !stack.isEmpty { stack.removeLast() }
                continue
            }
            // Start tag: name, attributes, maybe self-closing.
            let end = tagEnd(p, i + 1)
            let selfClosing = end > i && p[end - 1] == UInt8(ascii: "/")
            let body = UnsafeRawBufferPointer(rebasing: p[(i + 1)..<(selfClosing ? end - 1 : end)])
            i = end + 1
            let (name, attributes) = splitTag(body)
            if target != nil {
                // The element being read has children: under UserData, read the children instead.
                target = nil
                text.removeAll(keepingCapacity: true)
            }
            let newTarget = start(name, attributes, parents: stack, into: &ev)
            if selfClosing {
                if let t = newTarget { finish(t, "", into: &ev) }
            } else {
                stack.append(name)
                if let t = newTarget {
                    target = t
                    targetDepth = stack.count
                }
            }
        }
        return ev
    }

    /// Handles a start tag: stores attribute values and says whether the element's text is wanted.
    private static func start(_ name: String, _ attrs: [(String, String)], parents: [String],
                              into ev: inout WindowsEvent) -> Target? {
        let depth = parents.count
        guard depth >= 1 else { return nil }
        let section = depth >= 2 ? parents[1] : ""
        if depth == 1 && name == "System" { ev.hasSystem = true }
        if depth == 2 && section == "System" {
            switch name {
            case "Provider":
                ev.provider = attr(attrs, "Name") ?? ""
                ev.eventSourceName = attr(attrs, "EventSourceName") ?? ""
            case "EventID": return .eventID
            case "Level": return .level
            case "EventRecordID": return .recordID
            case "Channel": return .channel
            case "Computer": return .computer
            case "TimeCreated": ev.timeCreated = attr(attrs, "SystemTime") ?? ""
            case "Security": ev.userSID = attr(attrs, "UserID") ?? ""
            default: break
            }
            return nil
        }
        if depth == 2 && section == "EventData" {
            if name == "Data" { return .data(attr(attrs, "Name")) }
            if name == "Binary" { return .binary }
            return nil
        }
        if depth >= 3 && section == "UserData" { return .userData(name) }
        if depth == 2 && section == "RenderingInfo" && name == "Message" { return .message }
        return nil
    }

    private static func finish(_ t: Target, _ value: String, into ev: inout WindowsEvent) {
        switch t {
        case .eventID: ev.eventID = value
        case .level: ev.level = value
        case .recordID: ev.recordID = value
        case .channel: ev.channel = value
        case .computer: ev.computer = value
        case .data(let name): ev.data.append((name, value))
        case .binary: ev.binary = value
        case .userData(let name): ev.data.append((name, value)); ev.isUserData = true
        case .message: ev.message = value
        }
    }

    private static func attr(_ attrs: [(String, String)], _ name: String) -> String? {
        attrs.first { $0.0 == name }?.1
    }

    /// Splits `name a="1" b='2'` into the local name and unescaped attributes.
    private static func splitTag(_ b: UnsafeRawBufferPointer) -> (String, [(String, String)]) {
        let n = b.count
        var i = 0
        while i < n && !isSpace(b[i]) { i += 1 }
        let name = localName(UnsafeRawBufferPointer(rebasing: b[0..<i]))
        var attrs: [(String, String)] = []
        while i < n {
            while i < n && isSpace(b[i]) { i += 1 }
            let ns = i
            while i < n && b[i] != UInt8(ascii: "=") && !isSpace(b[i]) { i += 1 }
            let an = localName(UnsafeRawBufferPointer(rebasing: b[ns..<i]))
            while i < n && (isSpace(b[i]) || b[i] == UInt8(ascii: "=")) { i += 1 }
            guard i < n, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else { break }
            let q = b[i]
            let vs = i + 1
            i = vs
            while i < n && b[i] != q { i += 1 }
            attrs.append((an, XMLText.unescape(UnsafeRawBufferPointer(rebasing: b[vs..<i]))))
            i += 1
        }
        return (name, attrs)
    }

    private static func localName(_ b: UnsafeRawBufferPointer) -> String {
        if let colon = b.lastIndex(of: UInt8(ascii: ":")) {
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[(colon + 1)...]), as: UTF8.self)
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Index of the `>` closing the tag that starts before `from`, skipping quoted attribute values.
    private static func tagEnd(_ p: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        var quote: UInt8 = 0
        while i < p.count {
            let c = p[i]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: ">") {
                return i
            }
            i += 1
        }
        return p.count
    }

    /// CDATA text is literal; escape `&` so the later unescape leaves it unchanged.
    private static func xmlEscapedCDATA(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> [UInt8] {
        var out: [UInt8] = []
        for c in p[s..<min(e, p.count)] {
            if c == UInt8(ascii: "&") { out.append(contentsOf: Array("&amp;".utf8)) } else { out.append(c) }
        }
        return out
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    static func has(_ p: UnsafeRawBufferPointer, _ at: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at + n <= p.count else { return false }
        let u = s.utf8Start
        for k in 0..<n where p[at + k] != u[k] { return false }
        return true
    }

    /// Offset of the first `s` at or after `from` (memchr for its first byte, then compare).
    static func find(_ p: UnsafeRawBufferPointer, _ from: Int, _ s: StaticString) -> Int? {
        guard let base = p.baseAddress else { return nil }
        let first = Int32(s.utf8Start[0])
        var i = from
        while i < p.count {
            guard let hit = memchr(base + i, first, p.count - i) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if has(p, at, s) { return at }
            i = at + 1
        }
        return nil
    }
}

/// XML character references and the five predefined entities.
enum XMLText {
    static func unescape(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { unescape($0) }
    }

    static func unescape(_ b: UnsafeRawBufferPointer) -> String {
        guard b.contains(UInt8(ascii: "&")) else { return String(decoding: b, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            guard c == UInt8(ascii: "&"), let semi = b[i..<min(n, i + 12)].firstIndex(of: UInt8(ascii: ";")) else {
                out.append(c)
                i += 1
                continue
            }
            let ent = String(decoding: UnsafeRawBufferPointer(rebasing: b[(i + 1)..<semi]), as: UTF8.self)
            var scalar: Unicode.Scalar?
            switch ent {
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "amp": scalar = "&"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if ent.hasPrefix("#x") || ent.hasPrefix("#X") {
                    scalar = UInt32(ent.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if ent.hasPrefix("#") {
                    scalar = UInt32(ent.dropFirst(1)).flatMap(Unicode.Scalar.init)
                }
            }
            if let scalar {
                out.append(contentsOf: Array(String(scalar).utf8))
                i = semi + 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

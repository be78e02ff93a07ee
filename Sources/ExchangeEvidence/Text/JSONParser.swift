/// A JSON value as the event readers need it: numbers are kept as their text (an event id, a record number,
/// an epoch time are read as written, never rounded through a Double).
indirect enum JSONNode {
    case object([(key: String, value: JSONNode)])
    case array([JSONNode])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The member `key` of an object (first occurrence, exact name).
    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }

    /// The member at a dotted path (`winlog.event_data`), looking up each part in turn.
    func at(_ path: String) -> JSONNode? {
        var node: JSONNode? = self
        for part in path.split(separator: ".") { node = node?[String(part)] }
        return node
    }

    /// A scalar as text (strings as they are, numbers as written, booleans as `true`/`false`); nil for
    /// null, objects and arrays.
    var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    var isObject: Bool { if case .object = self { true } else { false } }
}

/// A byte-level JSON parser over a buffer: no Foundation, no copy of the input, one pass. JSON-lines exports
/// run to gigabytes, and `JSONSerialization` builds boxed objects per value (several times slower).
///
/// Nesting deeper than `maxDepth` is refused (hostile input must not overflow the stack).
struct JSONParser {
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    static let maxDepth = 64
    let p: UnsafeRawBufferPointer
    /// The next byte to read.
    var i: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) {
        p = bytes
        i = from
        end = to ?? bytes.count
    }

    @inline(__always) mutating func skipSpace() {
        while i < end {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    /// The byte at the cursor after white space, or nil at the end.
    mutating func peek() -> UInt8? {
        skipSpace()
        return i < end ? p[i] : nil
    }

    mutating func value(depth: Int = 0) throws -> JSONNode {
        guard depth < Self.maxDepth else { throw Failure(offset: i, message: "nested deeper than \(Self.maxDepth) levels") }
        guard let c = peek() else { throw Failure(offset: i, message: "unexpected end of data") }
        switch c {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: String, value: JSONNode)] = []
            if peek() == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                guard peek() == UInt8(ascii: "\"") else { throw Failure(offset: i, message: "expected a member name") }
                let key = try string()
                guard peek() == UInt8(ascii: ":") else { throw Failure(offset: i, message: "expected ':' after a member name") }
                i += 1
                members.append((key, try value(depth: depth + 1)))
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"): i += 1; return .object(members)
                default: throw Failure(offset: i, message: i < end ? "expected ',' or '}'" : "object not closed (data cut off?)")
                }
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            if peek() == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"): i += 1; return .array(items)
                default: throw Failure(offset: i, message: i < end ? "expected ',' or ']'" : "array not closed (data cut off?)")
                }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let start = i
            while i < end {
                let d = p[i]
                if (d >= 0x30 && d <= 0x39) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                    || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { i += 1 } else { break }
            }
            guard i > start else { throw Failure(offset: i, message: "unexpected character") }
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self))
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= end, EventXMLScanner.has(UnsafeRawBufferPointer(rebasing: p[..<end]), i, word) else {
            throw Failure(offset: i, message: "unexpected character")
        }
        i += n
    }

    /// A string at the cursor (which is on its opening quote). Unescaped text is copied in one piece.
    mutating func string() throws -> String {
        i += 1
        let start = i
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            i += 1
        }
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: p[start..<i]))
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < end else { break }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00, i + 1 < end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 { scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) }
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default: out.append(e)  // \" \\ \/ and anything else taken literally
            }
        }
        throw Failure(offset: i, message: "string not closed (data cut off?)")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= end else { throw Failure(offset: i, message: "\\u escape cut off") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw Failure(offset: i, message: "bad \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}

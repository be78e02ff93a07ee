/// A JSON document with object keys kept in the order they were given, so output is stable and
/// documented key orders in the help files hold. Strings are escaped per RFC 8259 (all control
/// characters as `\u00XX`), which also keeps terminal escapes out of JSON output.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// An array whose items are made while it is written: a hunt with a Sigma folder lists hundreds of
    /// thousands of findings, whose documents are never all in memory at once (see `JSONItems`).
    case items(JSONItems)

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    /// Compact single-line serialization (JSON lines use this).
    public func serialized() -> String {
        var w = JSONWriter(indent: nil, emit: nil)
        w.value(self, level: 0)
        return w.text
    }

    /// Indented serialization for single documents.
    public func pretty() -> String {
        var w = JSONWriter(indent: "  ", emit: nil)
        w.value(self, level: 0)
        return w.text
    }

    /// Writes the document (indented when `pretty`) in pieces of about 64 KiB to `emit`, the items of large
    /// `.items` arrays serialized on every core: a document of 200 MB is neither built whole as one string
    /// (each doubling of it moved it into fresh pages) nor written on one core.
    public func stream(pretty: Bool, to emit: @escaping (String) -> Void) {
        var w = JSONWriter(indent: pretty ? "  " : nil, emit: emit)
        w.value(self, level: 0)
        w.out.append("\n")
        emit(w.text)
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most strings are printable ASCII without quotes or backslashes: copied whole.
        var s = s
        if s.withUTF8({ $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.isUnsafe(u) {
                    // Beyond the BMP (the tag characters) JSON spells a character as its UTF-16 surrogate pair.
                    for unit in String(Character(u)).utf16 { out += "\\u" + TerminalText.hex(UInt32(unit), 4) }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// The items of a `.items` array: how many, and how to make the one at an index (called from any thread,
/// in any order; the document must not depend on the order they are made in).
public struct JSONItems: Sendable {
    public let count: Int
    let item: @Sendable (Int) -> JSONValue

    public init(count: Int, item: @escaping @Sendable (Int) -> JSONValue) {
        self.count = count
        self.item = item
    }
}

/// Serializes JSON values as UTF-8 bytes into `out` (strings escaped by `ExportBytes`, exactly as
/// `JSONValue.quote` does, without a `String` append per token); with `emit`, hands the text over whenever it
/// passes 64 KiB.
struct JSONWriter {
    var out = ExportBytes()
    let indent: String?
    let emit: ((String) -> Void)?

    init(indent: String?, emit: ((String) -> Void)?) {
        self.indent = indent
        self.emit = emit
        if emit != nil { out.bytes.reserveCapacity(Self.piece * 2) }
    }

    /// What has been written, as text.
    var text: String { String(decoding: out.bytes, as: UTF8.self) }

    /// The size of the pieces a streamed document is written in.
    static let piece = 1 << 16

    mutating func value(_ v: JSONValue, level: Int) {
        switch v {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(int: i)
        case .double(let d): out.bytes.append(contentsOf: (d.isFinite ? String(d) : "null").utf8)
        case .string(let s): out.appendJSON(s)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, v) in items.enumerated() {
                item(v, first: i == 0, level: level + 1)
                handOver()
            }
            newline(level)
            out.append("]")
        case .items(let items):
            if items.count == 0 { out.append("[]"); return }
            out.append("[")
            if items.count <= OrderedBlocks.block {
                for i in 0..<items.count { item(items.item(i), first: i == 0, level: level + 1) }
            } else {
                blocks(items, level: level + 1)
            }
            newline(level)
            out.append("]")
        case .object(let pairs):
            if pairs.isEmpty { out.append("{}"); return }
            out.append("{")
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(",") }
                newline(level + 1)
                out.appendJSON(k)
                out.append(indent == nil ? ":" : ": ")
                value(v, level: level + 1)
            }
            newline(level)
            out.append("}")
        }
    }

    private mutating func item(_ v: JSONValue, first: Bool, level: Int) {
        if !first { out.append(",") }
        newline(level)
        value(v, level: level)
    }

    /// A long `.items` array: its items serialized on all cores in blocks, appended in order.
    private mutating func blocks(_ items: JSONItems, level: Int) {
        let indent = self.indent
        OrderedBlocks.run(count: items.count, make: { range -> [UInt8] in
            var w = JSONWriter(indent: indent, emit: nil)
            for i in range { w.item(items.item(i), first: i == 0, level: level) }
            return w.out.bytes
        }, consume: { bytes in
            out.append(bytes)
            handOver()
        })
    }

    private mutating func handOver() {
        guard let emit, out.bytes.count >= Self.piece else { return }
        emit(text)
        out.bytes.removeAll(keepingCapacity: true)
    }

    private mutating func newline(_ level: Int) {
        guard let indent else { return }
        out.append("\n")
        for _ in 0..<level { out.bytes.append(contentsOf: indent.utf8) }
    }
}

extension JSONValue {
    /// A string, or null when nil.
    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    /// An ISO 8601 UTC time, or null when unknown.
    public static func time(_ ms: Int64) -> JSONValue { ms == Int64.min ? .null : .string(Timestamp.iso(ms)) }
    public static func strings(_ a: [String]) -> JSONValue { .array(a.map { .string($0) }) }
}

import ExchangeEvidence

import Foundation

/// The keys of ECS documents, each given an id and its JSON spelling once (the fixed fields' and the mapping's
/// path components): documents merge their fields by comparing ids and write keys as stored bytes, so an
/// export of millions of documents builds no String per key.
struct ECSKeys: Sendable {
    private var ids: [String: UInt32] = [:]
    /// Every key's JSON spelling (`"source"`), back to back: key `id` is `quoted[starts[id] ..< starts[id + 1]]`.
    private var quoted: [UInt8] = []
    private var starts: [Int] = [0]

    init(_ keys: [String] = []) {
        for k in keys { intern(k) }
    }

    @discardableResult
    mutating func intern(_ key: String) -> UInt32 {
        if let id = ids[key] { return id }
        let id = UInt32(starts.count - 1)
        var spelling = ExportBytes()
        spelling.appendJSON(key)
        quoted += spelling.bytes
        starts.append(quoted.count)
        ids[key] = id
        return id
    }

    func id(_ key: String) -> UInt32? { ids[key] }

    /// Calls `body` with the spellings and where each starts, as memory (no reference counted per key read).
    func withSpellings<R>(_ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<Int>) -> R) -> R {
        quoted.withUnsafeBytes { q in starts.withUnsafeBufferPointer { body(q, $0) } }
    }

    /// The path of a dotted name all of whose components are keys here.
    func path(_ dotted: String) -> ECSPath {
        var p = ECSPath()
        for c in dotted.split(separator: ".") { p.append(ids[String(c)]!) }
        return p
    }
}

/// A field's path as key ids, held inline: no array per field of every document.
struct ECSPath: Equatable {
    /// The deepest path a mapping may name (`ECSMapping.checkPaths`); ECS's own go three deep.
    static let maxDepth = 8
    var components = SIMD8<UInt32>(repeating: 0)
    var depth = 0

    mutating func append(_ component: UInt32) {
        precondition(depth < Self.maxDepth, "ECS path deeper than \(Self.maxDepth)")
        components[depth] = component
        depth += 1
    }
}

/// One ECS document being written: its fields (a path and the value's JSON, in `values`), then the document as
/// nested JSON (`source.ip` → `{"source":{"ip":…}}`, the shape ECS documents have in Elasticsearch), keys in
/// first-seen order and a path given several distinct values as a list. `ECSMapping` guarantees that no path is
/// both a value and an object (were one, the first seen wins: a value first drops the object, an object first
/// is followed by the values in a list).
///
/// Each export lane keeps one and reuses its buffers for every document (`ExportBytes.document`); the fields
/// are merged into a tree held in stack memory. Nothing here allocates or counts references per document.
final class ECSDocument {
    struct Field {
        var path: ECSPath
        var value: Range<Int>
    }

    /// The values' JSON, and the spellings of keys that are not in the `ECSKeys` (a field's own name).
    private(set) var values = ExportBytes()
    /// Room for text a value is built from before it is quoted (an event's message).
    var text: [UInt8] = []
    private var fields: [Field] = []
    /// Where in `values` each key not in the `ECSKeys` is spelled; such a key's id is its index with `ownKey` set.
    private var ownKeys: [Range<Int>] = []
    private static let ownKey: UInt32 = 1 << 31

    func reset() {
        values.bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        ownKeys.removeAll(keepingCapacity: true)
    }

    /// Adds a field at `path` whose JSON value `write` appends.
    @inline(__always)
    func add(_ path: ECSPath, _ write: (inout ExportBytes) -> Void) {
        let start = values.bytes.count
        write(&values)
        fields.append(Field(path: path, value: start..<values.bytes.count))
    }

    /// The path of `components`: each one of `keys` when it is there, else spelled in this document.
    func path(_ components: some Sequence<String>, keys: ECSKeys) -> ECSPath {
        var p = ECSPath()
        for c in components {
            if let id = keys.id(c) { p.append(id); continue }
            let start = values.bytes.count
            values.appendJSON(c)
            ownKeys.append(start..<values.bytes.count)
            p.append(Self.ownKey | UInt32(ownKeys.count - 1))
        }
        return p
    }

    /// The document as one line of JSON (findings and tests, where a String is handy).
    static func serialized(_ fields: [(String, JSONValue)]) -> String {
        let document = ECSDocument(), keys = ECSKeys()
        for (dotted, value) in fields {
            document.add(document.path(dotted.split(separator: ".").map(String.init), keys: keys)) { $0.appendJSON(value) }
        }
        var out = ExportBytes()
        document.write(keys: keys, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Writes the document's fields as one JSON object into `out`.
    func write(keys: ECSKeys, into out: inout ExportBytes) {
        let capacity = fields.reduce(1) { $0 + $1.path.depth }
        values.bytes.withUnsafeBytes { valueBytes in
            keys.withSpellings { keyBytes, keyStarts in
                withUnsafeTemporaryAllocation(of: Node.self, capacity: capacity) { nodes in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: fields.count) { nextValue in
                        fields.withUnsafeBufferPointer { f in
                            ownKeys.withUnsafeBufferPointer { own in
                                var tree = Tree(fields: f, values: valueBytes, keyBytes: keyBytes, keyStarts: keyStarts, ownKeys: own,
                                                nodes: nodes, nextValue: nextValue)
                                for i in f.indices { tree.add(Int32(i)) }
                                // Written through a pointer into room for the longest the document can be, then
                                // appended at once: appending each key, colon and comma cost more than the bytes.
                                let bound = valueBytes.count + tree.keyTotal + 6 * tree.count + f.count + 2
                                var room: [UInt8] = []
                                swap(&room, &out.row)     // the lane's room, kept between documents
                                if room.count < bound { room = [UInt8](repeating: 0, count: max(bound, 2 * room.count)) }
                                let n = room.withUnsafeMutableBufferPointer { room in
                                    var cursor = Cursor(room.baseAddress!)
                                    tree.writeObject(0, into: &cursor)
                                    return cursor.written(from: room.baseAddress!)
                                }
                                room.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                                swap(&room, &out.row)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One path component of the document: component `depth - 1` of field `keyField`'s path is its key.
    /// Links are node or field indexes, -1 ending a list.
    private struct Node {
        var keyField: Int32
        var depth: Int32
        var firstChild: Int32 = -1, lastChild: Int32 = -1, nextSibling: Int32 = -1
        var firstValue: Int32 = -1, lastValue: Int32 = -1
        /// The first field reaching this key ended here (a value, not an object).
        var leafFirst = false
    }

    private struct Tree {
        let fields: UnsafeBufferPointer<Field>
        let values: UnsafeRawBufferPointer
        let keyBytes: UnsafeRawBufferPointer
        let keyStarts: UnsafeBufferPointer<Int>
        let ownKeys: UnsafeBufferPointer<Range<Int>>
        let nodes: UnsafeMutableBufferPointer<Node>
        /// Per field: the next value of the same path (-1: none).
        let nextValue: UnsafeMutableBufferPointer<Int32>
        var count = 1
        /// The length of all nodes' keys.
        var keyTotal = 0

        init(fields: UnsafeBufferPointer<Field>, values: UnsafeRawBufferPointer, keyBytes: UnsafeRawBufferPointer, keyStarts: UnsafeBufferPointer<Int>,
             ownKeys: UnsafeBufferPointer<Range<Int>>, nodes: UnsafeMutableBufferPointer<Node>, nextValue: UnsafeMutableBufferPointer<Int32>) {
            self.fields = fields
            self.values = values
            self.keyBytes = keyBytes
            self.keyStarts = keyStarts
            self.ownKeys = ownKeys
            self.nodes = nodes
            self.nextValue = nextValue
            nodes.initializeElement(at: 0, to: Node(keyField: -1, depth: 0))
        }

        /// The spelling of key `id`.
        func key(_ id: UInt32) -> UnsafeRawBufferPointer {
            id & ECSDocument.ownKey == 0 ? UnsafeRawBufferPointer(rebasing: keyBytes[keyStarts[Int(id)]..<keyStarts[Int(id) + 1]])
                : UnsafeRawBufferPointer(rebasing: values[ownKeys[Int(id & ~ECSDocument.ownKey)]])
        }

        /// Keys of the `ECSKeys` are equal when their ids are; a document's own keys are never one of those.
        func same(_ a: UInt32, _ b: UInt32) -> Bool {
            a == b || (a & b & ECSDocument.ownKey != 0 && Self.equal(key(a), key(b)))
        }

        static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
            a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
        }

        func value(_ i: Int32) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: values[fields[Int(i)].value]) }

        /// Merges field `i`'s path into the tree and appends its value to the last node's values, unless that
        /// node already holds the same value (two rows mapping one value to one field write it once).
        mutating func add(_ i: Int32) {
            let path = fields[Int(i)].path
            var node: Int32 = 0
            for d in 0..<path.depth {
                let component = path.components[d]
                var child = nodes[Int(node)].firstChild
                while child >= 0 && !same(fields[Int(nodes[Int(child)].keyField)].path.components[d], component) {
                    child = nodes[Int(child)].nextSibling
                }
                if child < 0 {
                    child = Int32(count)
                    nodes.initializeElement(at: count, to: Node(keyField: i, depth: Int32(d + 1), leafFirst: d == path.depth - 1))
                    count += 1
                    keyTotal += key(component).count
                    if nodes[Int(node)].lastChild >= 0 { nodes[Int(nodes[Int(node)].lastChild)].nextSibling = child }
                    else { nodes[Int(node)].firstChild = child }
                    nodes[Int(node)].lastChild = child
                }
                node = child
            }
            var v = nodes[Int(node)].firstValue
            while v >= 0 {
                if Self.equal(value(v), value(i)) { return }
                v = nextValue[Int(v)]
            }
            nextValue[Int(i)] = -1
            if nodes[Int(node)].lastValue >= 0 { nextValue[Int(nodes[Int(node)].lastValue)] = i } else { nodes[Int(node)].firstValue = i }
            nodes[Int(node)].lastValue = i
        }

        func writeObject(_ node: Int32, into out: inout Cursor) {
            out.put(UInt8(ascii: "{"))
            var child = nodes[Int(node)].firstChild
            var first = true
            while child >= 0 {
                let c = nodes[Int(child)]
                if !first { out.put(UInt8(ascii: ",")) }
                first = false
                out.put(key(fields[Int(c.keyField)].path.components[Int(c.depth) - 1]))
                out.put(UInt8(ascii: ":"))
                var values = 0
                var v = c.firstValue
                while v >= 0 { values += 1; v = nextValue[Int(v)] }
                let parts = (c.leafFirst ? 0 : 1) + values
                if parts > 1 { out.put(UInt8(ascii: "[")) }
                if !c.leafFirst { writeObject(child, into: &out) }
                v = c.firstValue
                var k = 0
                while v >= 0 {
                    if k > 0 || !c.leafFirst { out.put(UInt8(ascii: ",")) }
                    out.put(value(v))
                    k += 1
                    v = nextValue[Int(v)]
                }
                if parts > 1 { out.put(UInt8(ascii: "]")) }
                child = c.nextSibling
            }
            out.put(UInt8(ascii: "}"))
        }
    }

    /// Where the next byte of a document goes, in room its caller made large enough.
    private struct Cursor {
        var at: UnsafeMutablePointer<UInt8>

        init(_ start: UnsafeMutablePointer<UInt8>) { at = start }

        mutating func put(_ byte: UInt8) {
            at.pointee = byte
            at += 1
        }

        mutating func put(_ bytes: UnsafeRawBufferPointer) {
            guard let from = bytes.baseAddress else { return }
            UnsafeMutableRawPointer(at).copyMemory(from: from, byteCount: bytes.count)
            at += bytes.count
        }

        func written(from start: UnsafeMutablePointer<UInt8>) -> Int { at - start }
    }
}

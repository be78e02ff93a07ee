import Foundation

/// Reads MISP event JSON (`{"Event": {…}}`, a `{"response": [...]}` export, or an array of events):
/// the attributes of the event and of its objects, mapped by attribute type.
///
/// Attribute types that are not indicators exhunt can match (`yara`, `text`, `link`, …) are counted and
/// reported in one message, so nothing disappears without a word.
enum MISPEventLoader {
    static func load(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        let locator = LineLocator(bytes)
        let root: Any
        switch JSONElements.parse(bytes[...], baseOffset: 0, locator: locator) {
        case .failure(let p):
            c.problem(p.line, "malformed MISP event: \(p.message); reading the attributes that can be read")
            recover(bytes, locator: locator, into: &c)
            return
        case .success(let r): root = r
        }
        var events: [[String: Any]] = []
        func collect(_ any: Any) {
            if let d = any as? [String: Any] {
                if let e = d["Event"] as? [String: Any] { events.append(e) } else if let r = d["response"] { collect(r) }
            } else if let a = any as? [Any] {
                a.forEach(collect)
            }
        }
        collect(root)
        if events.isEmpty {
            c.problem(nil, "no MISP Event object found")
            return
        }
        var reader = AttributeReader(bytes: bytes, locator: locator)
        for e in events {
            let date = e["date"] as? String ?? ""
            if let info = e["info"] as? String, c.set.provenance.isEmpty { c.set.provenance = "MISP event: \(info)" }
            for a in e["Attribute"] as? [[String: Any]] ?? [] { reader.read(a, date: date, into: &c) }
            for o in e["Object"] as? [[String: Any]] ?? [] { reader.readObject(o, date: date, into: &c) }
        }
        reader.report(into: &c)
    }

    /// A file the JSON parser refuses (a missing comma, a cut): every `"Attribute"` array is split into its
    /// elements, and each attribute that parses is read, so one bad line does not lose the rest, as for STIX
    /// bundles and feeds (reviewer). The event's date is then unknown; an object that parses whole is read as an
    /// object (its deletion kept), and an attribute inside a broken object is read as one of the event's.
    static func recover(_ bytes: [UInt8], locator: LineLocator, into c: inout IndicatorCollector) {
        var reader = AttributeReader(bytes: bytes, locator: locator)
        var objects: [Range<Int>] = []
        for open in JSONElements.arrayValues(of: "Object", in: bytes) {
            for r in JSONElements.elements(of: bytes, arrayAt: open) {
                guard case .success(let any) = JSONElements.parse(bytes[r], baseOffset: r.lowerBound, locator: locator),
                      let o = any as? [String: Any] else { continue }
                objects.append(r)
                reader.readObject(o, date: "", into: &c)
            }
        }
        for open in JSONElements.arrayValues(of: "Attribute", in: bytes) where !objects.contains(where: { $0.contains(open) }) {
            for r in JSONElements.elements(of: bytes, arrayAt: open) {
                switch JSONElements.parse(bytes[r], baseOffset: r.lowerBound, locator: locator) {
                case .failure(let p): c.problem(p.line, "MISP attribute starting on line \(locator.line(at: r.lowerBound)): \(p.message)")
                case .success(let any):
                    if let a = any as? [String: Any] { reader.read(a, date: "", into: &c) }
                }
            }
        }
        reader.report(into: &c)
    }

    /// Reads attributes into indicators, counting those it leaves out, and names each one's line: attributes
    /// appear in file order, so the next `"value"` key holding an attribute's value is where it is.
    struct AttributeReader {
        let bytes: [UInt8]
        let locator: LineLocator
        var cursor = 0
        var skipped: [String: Int] = [:]
        var deleted = 0

        init(bytes: [UInt8], locator: LineLocator) {
            self.bytes = bytes
            self.locator = locator
        }

        mutating func read(_ a: [String: Any], date: String, into c: inout IndicatorCollector) {
            guard let type = a["type"] as? String, let value = a["value"] as? String else {
                c.problem(nil, "attribute without type or value")
                return
            }
            // Soft-deleted in MISP: retracted, usually as a false positive; kept in exports, not an indicator.
            if isDeleted(a) { deleted += 1; return }
            let offset = valueKey(value, in: bytes, from: cursor) ?? valueKey(value, in: bytes, from: 0) ?? cursor
            cursor = offset + 1
            let line = locator.line(at: offset)
            var noteParts: [String] = []
            if let comment = a["comment"] as? String, !comment.isEmpty { noteParts.append(comment) }
            if let category = a["category"] as? String { noteParts.append(category) }
            if let toIDs = a["to_ids"] as? Bool, !toIDs { noteParts.append("to_ids false") }
            let note = noteParts.joined(separator: "; ")
            let mapped = map(type: type, value: value)
            if mapped.isEmpty { skipped[type, default: 0] += 1 }
            for (t, v) in mapped {
                c.add(t, v, line: line, date: date, note: note,
                      validFrom: a["first_seen"] as? String ?? "", validUntil: a["last_seen"] as? String ?? "")
            }
        }

        /// A MISP object's attributes; a deleted object's are deleted with it.
        mutating func readObject(_ o: [String: Any], date: String, into c: inout IndicatorCollector) {
            let inner = o["Attribute"] as? [[String: Any]] ?? []
            if isDeleted(o) { deleted += inner.count } else { inner.forEach { read($0, date: date, into: &c) } }
        }

        func report(into c: inout IndicatorCollector) {
            if deleted > 0 {
                c.problem(nil, "\(deleted) attribute\(deleted == 1 ? "" : "s") marked deleted in MISP (retracted) not loaded")
            }
            if !skipped.isEmpty {
                let list = skipped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                c.problem(nil, "attributes of types exhunt does not match were not loaded: \(list)")
            }
        }
    }

    /// MISP's soft delete: `"deleted": true` (or `"1"`, as older exports write it).
    static func isDeleted(_ o: [String: Any]) -> Bool {
        if let b = o["deleted"] as? Bool { return b }
        if let s = o["deleted"] as? String { return s == "1" || s.lowercased() == "true" }
        return (o["deleted"] as? Int) == 1
    }

    /// The offset of the next `"value"` key at or after `from` whose string is `value`, JSON-escaped as MISP
    /// writes it (PHP also escapes `/` as `\/`), so a short or empty value is not found inside an earlier
    /// attribute's text.
    static func valueKey(_ value: String, in bytes: [UInt8], from: Int) -> Int? {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let forms = [escaped, escaped.replacingOccurrences(of: "/", with: "\\/")].map { Array(("\"" + $0 + "\"").utf8) }
        var at = from
        while let key = LineLocator.find("\"value\"", in: bytes, from: at) {
            var i = key + 7
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x3A].contains(bytes[i]) { i += 1 }
            if forms.contains(where: { i + $0.count <= bytes.count && bytes[i..<(i + $0.count)].elementsEqual($0) }) { return key }
            at = key + 1
        }
        return nil
    }

    /// The indicators one attribute yields; empty for types exhunt does not match.
    static func map(type: String, value: String) -> [(IndicatorType, String)] {
        let parts = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        func withoutPort(_ v: String) -> String {
            // `1.2.3.4|443` uses `|`; some exports write `1.2.3.4:443`.
            let p = v.split(separator: ":")
            return p.count == 2 && IndicatorNormalizer.canonicalIPv4(String(p[0])) != nil ? String(p[0]) : v
        }
        switch type {
        case "ip-src", "ip-dst": return [(.ip, withoutPort(value))]
        case "ip-src|port", "ip-dst|port": return [(.ip, parts[0])]
        case "domain", "hostname": return [(.domain, value)]
        case "domain|ip": return parts.count == 2 ? [(.domain, parts[0]), (.ip, parts[1])] : [(.domain, value)]
        case "hostname|port": return [(.domain, parts[0])]
        case "url": return [(.url, value)]
        case "uri": return [(.path, value)]
        case "user-agent": return [(.ua, value)]
        case "filename":
            return [(value.contains("\\") || value.contains("/") ? .path : .name, value)]
        case "md5", "sha1", "sha256": return [(.hash, value)]
        case "filename|md5", "filename|sha1", "filename|sha256":
            guard parts.count == 2 else { return [(.hash, value)] }
            return [(parts[0].contains("\\") || parts[0].contains("/") ? .path : .name, parts[0]), (.hash, parts[1])]
        default: return []
        }
    }
}

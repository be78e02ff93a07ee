import Foundation

/// Reads STIX 2.1 indicator objects (a bundle, a bare array of objects, or a single indicator).
///
/// Every comparison exhunt can match becomes an indicator; anything else in a pattern (another object type,
/// an operator other than `=`/`IN`, a pattern type other than `stix`) is reported with the indicator's id
/// and line, never dropped silently. Objects are decoded one by one, so a malformed object or a truncated
/// bundle still yields the objects before and after it.
enum STIXBundleLoader {
    static func load(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        let locator = LineLocator(bytes)
        let elements: [Range<Int>]
        if let open = JSONElements.arrayValue(of: "objects", in: bytes) {
            elements = JSONElements.elements(of: bytes, arrayAt: open)
            if case .failure(let p) = JSONElements.parse(bytes[...], baseOffset: 0, locator: locator) {
                c.problem(p.line, "malformed STIX bundle: \(p.message); reading the objects that can be read")
            }
        } else if let first = bytes.firstIndex(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }),
                  bytes[first] == UInt8(ascii: "[") {
            elements = JSONElements.elements(of: bytes, arrayAt: first)
        } else {
            elements = [0..<bytes.count]
        }
        var indicators = 0
        for r in elements {
            let line = locator.line(at: r.lowerBound)
            switch JSONElements.parse(bytes[r], baseOffset: r.lowerBound, locator: locator) {
            case .failure(let p):
                c.problem(p.line, "STIX object starting on line \(line): \(p.message)")
            case .success(let obj):
                guard let o = obj as? [String: Any] else {
                    c.problem(line, "STIX object is not a JSON object")
                    continue
                }
                guard (o["type"] as? String) == "indicator" else { continue }
                indicators += 1
                indicator(o, line: line, into: &c)
            }
        }
        if indicators == 0 { c.problem(nil, "no STIX indicator objects found") }
    }

    static func indicator(_ o: [String: Any], line: Int, into c: inout IndicatorCollector) {
        let id = o["id"] as? String ?? "indicator without id"
        guard let pattern = o["pattern"] as? String else {
            c.problem(line, "\(id): no pattern")
            return
        }
        let patternType = o["pattern_type"] as? String ?? "stix"
        guard patternType == "stix" else {
            c.problem(line, "\(id): unsupported pattern_type '\(patternType)' (only stix patterns are matched)")
            return
        }
        let parsed: STIXPattern
        do { parsed = try STIXPattern(pattern) } catch STIXPattern.ParseError.syntax(let why) {
            c.problem(line, "\(id): cannot parse pattern (\(why)): \(pattern)")
            return
        } catch {
            c.problem(line, "\(id): cannot parse pattern: \(pattern)")
            return
        }
        let validFrom = o["valid_from"] as? String ?? ""
        let validUntil = o["valid_until"] as? String ?? ""
        let date = String((validFrom.isEmpty ? (o["created"] as? String ?? "") : validFrom).prefix(10))
        var note = [o["name"] as? String, o["description"] as? String].compactMap { $0 }.joined(separator: ": ")
        note = note.isEmpty ? id : "\(note) (\(id))"

        if !parsed.ignored.isEmpty {
            c.problem(line, "\(id): \(parsed.ignored.joined(separator: ", ")) not evaluated; each value matches on its own")
        }
        let problemsBefore = c.problemCount
        var loaded = 0
        var observationsLoaded = 0
        for obs in Set(parsed.comparisons.map(\.observation)).sorted() {
            let before = loaded
            defer { if loaded > before { observationsLoaded += 1 } }
            let group = parsed.comparisons.filter { $0.observation == obs }
            // `file:name` with `file:parent_directory_ref.path` in one observation names one file by its full path.
            let dirs = group.filter { $0.path == "file:parent_directory_ref.path" && $0.op == "=" && !$0.negated }
            let names = group.filter { $0.path == "file:name" && $0.op == "=" && !$0.negated }
            var used: [STIXPattern.Comparison] = []
            if dirs.count == 1 && names.count == 1 {
                if c.add(.path, directory(dirs[0].values[0]) + names[0].values[0], line: line, date: date, note: note, validFrom: validFrom,
                         validUntil: validUntil, context: id) { loaded += 1 }
                used = dirs + names
            }
            var separate = 0
            for cmp in group where !used.contains(cmp) {
                // `network-traffic:dst_ref.type = 'ipv4-addr'` only says what the other comparison's value is.
                if cmp.path.hasSuffix("_ref.type") || cmp.path.hasSuffix(":type") { continue }
                guard let type = indicatorType(cmp) else {
                    c.problem(line, "\(id): unsupported comparison \(cmp.text)")
                    continue
                }
                let isDirectory = cmp.path == "file:parent_directory_ref.path" || cmp.path == "directory:path"
                for v in cmp.values {
                    if c.add(type, isDirectory ? directory(v) : v, line: line, date: date, note: note, validFrom: validFrom, validUntil: validUntil,
                             context: id) {
                        loaded += 1
                        separate += 1
                    }
                }
            }
            if parsed.observationsWithAnd.contains(obs) && separate > 1 {
                c.problem(line, "\(id): \(separate) values joined with AND loaded as separate indicators (any one matches)")
            }
        }
        if parsed.observationsJoinedWithAnd && observationsLoaded > 1 {
            c.problem(line, "\(id): \(observationsLoaded) observations joined with AND loaded as separate indicators (any one matches)")
        }
        if loaded == 0 && c.problemCount == problemsBefore {
            c.problem(line, "\(id): no value exhunt can match in pattern \(pattern)")
        }
    }

    /// A folder path with its trailing separator, the form that marks a path indicator as a directory.
    static func directory(_ p: String) -> String {
        p.hasSuffix("\\") || p.hasSuffix("/") ? p : p + (p.contains("/") ? "/" : "\\")
    }

    /// The indicator type a supported comparison yields, or nil when exhunt cannot match it.
    static func indicatorType(_ c: STIXPattern.Comparison) -> IndicatorType? {
        guard !c.negated else { return nil }
        // `ISSUBSET '198.51.100.0/24'`: any address in the block, which is what a CIDR IP indicator matches.
        if c.op == "ISSUBSET" { return c.path == "ipv4-addr:value" ? .ip : nil }
        guard c.op == "=" || c.op == "IN" else { return nil }
        switch c.path {
        case "ipv4-addr:value", "ipv6-addr:value", "network-traffic:dst_ref.value", "network-traffic:src_ref.value":
            return .ip
        case "domain-name:value": return .domain
        case "url:value": return .url
        case "file:name": return c.values.allSatisfy { !$0.contains("\\") && !$0.contains("/") } ? .name : .path
        case "file:hashes.sha-256", "file:hashes.sha256", "file:hashes.sha-1", "file:hashes.sha1", "file:hashes.md5":
            return .hash
        case "file:parent_directory_ref.path", "directory:path": return .path
        case "network-traffic:extensions.http-request-ext.request_header.user-agent": return .ua
        default: return nil
        }
    }
}

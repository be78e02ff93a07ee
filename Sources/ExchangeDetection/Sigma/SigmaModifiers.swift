import Foundation

/// A value as YAML gave it: text (numbers and booleans as written) or null.
enum SigmaValue: Sendable, Hashable {
    case text(String)
    case null
}

/// Why a rule could not be loaded. `unsupported` separates what exhunt does not implement (correlations,
/// `near`, aggregations, `expand`) from rules that are broken (bad YAML, unknown modifier, bad regex).
struct SigmaProblem: Error, Sendable {
    let reason: String
    let unsupported: Bool
    var line: Int?

    static func broken(_ reason: String, line: Int? = nil) -> SigmaProblem { SigmaProblem(reason: reason, unsupported: false, line: line) }
    static func unsupported(_ reason: String, line: Int? = nil) -> SigmaProblem { SigmaProblem(reason: reason, unsupported: true, line: line) }
}

/// Applies a key's modifier chain (`field|contains|all`) to its values, giving the item's tests.
enum SigmaModifiers {
    static let anchors: Set<String> = ["contains", "startswith", "endswith"]
    static let kinds: Set<String> = ["re", "cidr", "exists", "fieldref", "gt", "gte", "lt", "lte"]
    static let encodings: Set<String> = ["base64", "base64offset", "utf16le", "utf16be", "wide", "utf16"]
    static let reFlags: Set<String> = ["i", "m", "s"]
    static let others: Set<String> = ["all", "cased", "windash"]

    static func item(key: String, values: [SigmaValue]) throws -> SigmaItem {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts[0].isEmpty ? nil : parts[0]
        let mods = parts.dropFirst().map { $0.lowercased() }
        for m in mods where !(anchors.contains(m) || kinds.contains(m) || encodings.contains(m) || reFlags.contains(m) || others.contains(m)) {
            if m == "expand" { throw SigmaProblem.unsupported("modifier 'expand' (placeholders) is not supported") }
            throw SigmaProblem.broken("unknown modifier '\(m)' in '\(key)'")
        }
        // Keywords are searched for anywhere in the event unless a modifier says otherwise.
        let anchor = field == nil && mods.filter(anchors.contains).isEmpty ? ["contains"] : mods.filter(anchors.contains)
        let kind = mods.filter(kinds.contains)
        if anchor.count > 1 { throw SigmaProblem.broken("'\(key)': more than one of contains/startswith/endswith") }
        if kind.count > 1 { throw SigmaProblem.broken("'\(key)': modifiers \(kind.joined(separator: ", ")) cannot be combined") }
        // contains/startswith/endswith add wildcards, which a regular expression, a network, a number or `exists`
        // does not take: the rule's meaning is unclear, and pySigma refuses it too (reviewer: `contains|re` loaded).
        if let k = kind.first, k != "fieldref", let a = mods.first(where: anchors.contains) {
            throw SigmaProblem.broken("'\(key)': '\(a)' cannot be combined with '\(k)'" + (k == "re" ? " (a regular expression is unanchored already: drop '\(a)')" : ""))
        }
        let flags = mods.filter(reFlags.contains)
        if !flags.isEmpty && kind.first != "re" { throw SigmaProblem.broken("'\(key)': \(flags.joined(separator: "|")) is a flag of 're'") }
        let encoding = mods.filter(encodings.contains)
        if !encoding.isEmpty, let k = kind.first {
            throw SigmaProblem.broken("'\(key)': '\(k)' cannot be combined with \(encoding.joined(separator: "|"))")
        }
        if field == nil, let k = kind.first, k == "exists" || k == "fieldref" {
            throw SigmaProblem.broken("'\(key)': '\(k)' needs a field")
        }
        let cased = mods.contains("cased")
        let windash = mods.contains("windash")
        if values.isEmpty { throw SigmaProblem.broken("'\(key)' has no values") }

        var groups: [[SigmaTest]] = []
        for v in values {
            guard case .text(let text) = v else { groups.append([.null]); continue }
            switch kind.first {
            case "exists"?:
                switch text.lowercased() {
                case "true", "yes": groups.append([.exists(true)])
                case "false", "no": groups.append([.exists(false)])
                default: throw SigmaProblem.broken("'\(key)': exists takes true or false, not '\(text)'")
                }
            case let op? where ["gt", "gte", "lt", "lte"].contains(op):
                guard let n = Double(text) else { throw SigmaProblem.broken("'\(key)': '\(text)' is not a number") }
                groups.append([.compare(SigmaTest.CompareOp(rawValue: op)!, n)])
            case "cidr"?:
                guard let c = IPBlock(text) else { throw SigmaProblem.broken("'\(key)': '\(text)' is not a network (a.b.c.d/n)") }
                groups.append([.cidr(c)])
            case "re"?:
                var options: NSRegularExpression.Options = []
                if flags.contains("i") { options.insert(.caseInsensitive) }
                if flags.contains("m") { options.insert(.anchorsMatchLines) }
                if flags.contains("s") { options.insert(.dotMatchesLineSeparators) }
                do { groups.append([.regex(try SigmaRegex(text, options: options))]) } catch {
                    throw SigmaProblem.broken("'\(key)': invalid regular expression '\(text)'")
                }
            case "fieldref"?:
                groups.append([.fieldRef(text, SigmaTest.FieldRefMode(rawValue: anchor.first ?? "equals")!)])
            default:
                let spellings = windash ? windashVariants(text) : [text]
                var tests: [SigmaTest] = []
                for s in spellings {
                    tests += try patterns(s, key: key, anchor: anchor.first, encoding: encoding, cased: cased).map { .pattern($0) }
                }
                // A plain value that is an integer equals it in the event's other notation too (`SigmaInteger`).
                if anchor.isEmpty && encoding.isEmpty { tests += SigmaInteger.tests(for: text).map { .integer($0) } }
                groups.append(tests)
            }
        }
        return SigmaItem(field: field, groups: groups, all: mods.contains("all"), key: key)
    }

    /// The patterns of one value: wildcards parsed, then encodings applied in the order written.
    static func patterns(_ text: String, key: String, anchor: String?, encoding: [String], cased: Bool) throws -> [SigmaPattern] {
        var tokens = SigmaPattern.tokenize(Array(text.utf8))
        var leading = anchor == "contains" || anchor == "endswith"
        var trailing = anchor == "contains" || anchor == "startswith"
        var offsets = false
        for e in encoding {
            switch e {
            case "utf16le", "wide", "utf16be", "utf16":
                tokens = tokens.map { t in
                    guard case .literal(let b) = t else { return t }
                    return .literal(utf16(String(decoding: b, as: UTF8.self), bigEndian: e == "utf16be"))
                }
                if e == "utf16", case .literal(let b)? = tokens.first { tokens[0] = .literal([0xFF, 0xFE] + b) }
                else if e == "utf16" { tokens.insert(.literal([0xFF, 0xFE]), at: 0) }
            default:  // base64, base64offset
                var literal: [UInt8]? = tokens.isEmpty ? [] : nil
                if tokens.count == 1, case .literal(let b) = tokens[0] { literal = b }
                guard let bytes = literal else {
                    throw SigmaProblem.broken("'\(key)': a value with wildcards cannot be \(e)-encoded")
                }
                if e == "base64" {
                    tokens = [.literal(Array(Data(bytes).base64EncodedString().utf8))]
                } else {
                    offsets = true
                    leading = true
                    trailing = true
                    tokens = []
                    for shift in base64Offsets(bytes) { tokens.append(.literal(shift)) }
                }
            }
        }
        if offsets {
            // Three shifted spellings, each matched anywhere in the value.
            return tokens.map { SigmaPattern(tokens: [$0], cased: cased, leading: leading, trailing: trailing) }
        }
        return [SigmaPattern(tokens: tokens, cased: cased, leading: leading, trailing: trailing)]
    }

    static func utf16(_ s: String, bigEndian: Bool) -> [UInt8] {
        s.utf16.flatMap { u in bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
    }

    /// The base64 spellings of `bytes` at the three alignments it can have inside a longer encoded text:
    /// the characters that depend on neighbouring bytes are cut off.
    static func base64Offsets(_ bytes: [UInt8]) -> [[UInt8]] {
        let starts = [0, 2, 3], ends = [0, 3, 2]
        return (0..<3).compactMap { i in
            let enc = Array(Data(Array(repeating: 0x20, count: i) + bytes).base64EncodedString().utf8)
            let cut = ends[(bytes.count + i) % 3]
            guard enc.count - cut > starts[i] else { return nil }
            return Array(enc[starts[i]..<(enc.count - cut)])
        }
    }

    /// `windash`: every option dash or slash (at a word's start, before a word character) in each of the
    /// spellings Windows tools accept: `-`, `/`, en dash, em dash, horizontal bar.
    static func windashVariants(_ s: String) -> [String] {
        let dashes = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]
        let chars = Array(s)
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var spots: [Int] = []
        for (i, c) in chars.enumerated() where (c == "-" || c == "/") {
            let before = i == 0 || !isWord(chars[i - 1])
            let after = i + 1 < chars.count && isWord(chars[i + 1])
            if before && after { spots.append(i) }
        }
        var out: [[Character]] = [chars]
        for spot in spots.prefix(4) {
            out = out.flatMap { v in dashes.map { d in var w = v; w[spot] = Character(d); return w } }
        }
        return out.map { String($0) }
    }
}

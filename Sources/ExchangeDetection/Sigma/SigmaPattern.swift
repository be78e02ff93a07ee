import ExchangeEvidence
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Sigma string value compiled for matching bytes: literal runs and the wildcards `*` (any run) and `?`
/// (one character: a UTF-8 character's bytes, so `Microsoft?` matches `Microsoft®`), compared ignoring ASCII case
/// unless `cased`.
///
/// Sigma's escapes are honoured: `\*`, `\?` and `\\` stand for the character itself; a backslash before
/// anything else is a plain backslash (so Windows paths need no doubling). The common shapes — equals,
/// contains, starts with, ends with — are recognised once so matching does not walk a general glob.
struct SigmaPattern: Sendable, Hashable {
    /// A pattern element.
    enum Token: Sendable, Hashable {
        case literal([UInt8])
        case anyRun
        case anyOne
    }

    let tokens: [Token]
    let cased: Bool
    private let shape: Shape

    private enum Shape: Sendable, Hashable {
        case equals([UInt8]), contains([UInt8]), prefix([UInt8]), suffix([UInt8]), glob
    }

    /// Parses a Sigma value with wildcards; `leading`/`trailing` add the `*` that contains/startswith/endswith imply.
    init(sigma text: String, cased: Bool, leading: Bool = false, trailing: Bool = false) {
        self.init(tokens: Self.tokenize(Array(text.utf8)), cased: cased, leading: leading, trailing: trailing)
    }

    /// Builds from tokens (encoded values keep their wildcards as tokens).
    init(tokens raw: [Token], cased: Bool, leading: Bool = false, trailing: Bool = false) {
        var t: [Token] = []
        func add(_ k: Token) {
            switch (t.last, k) {
            case (.literal(let a)?, .literal(let b)): t[t.count - 1] = .literal(a + b)
            case (.anyRun?, .anyRun): break
            default: t.append(k)
            }
        }
        if leading { add(.anyRun) }
        for k in raw {
            if case .literal(let b) = k { add(.literal(cased ? b : b.map(ByteMatch.lower))) } else { add(k) }
        }
        if trailing { add(.anyRun) }
        tokens = t
        self.cased = cased
        switch t.count {
        case 0: shape = .equals([])
        case 1: if case .literal(let b) = t[0] { shape = .equals(b) } else { shape = .glob }
        case 2:
            if case .literal(let b) = t[0], t[1] == .anyRun { shape = .prefix(b) }
            else if t[0] == .anyRun, case .literal(let b) = t[1] { shape = .suffix(b) }
            else { shape = .glob }
        case 3:
            if t[0] == .anyRun, t[2] == .anyRun, case .literal(let b) = t[1] { shape = .contains(b) } else { shape = .glob }
        default: shape = .glob
        }
    }

    /// The pattern as an analyst reads it in a summary: wildcards as `*` and `?`, the `*` around a plain
    /// `contains` left out (literals are shown lower-cased unless `cased`, as they are compared).
    var shown: String {
        var t = tokens[...]
        if t.count == 3, t.first == .anyRun, t.last == .anyRun { t = t.dropFirst().dropLast() }
        return t.map { token -> String in
            switch token {
            case .literal(let b): String(decoding: b, as: UTF8.self)
            case .anyRun: "*"
            case .anyOne: "?"
            }
        }.joined()
    }

    /// The same pattern with every literal byte mapped through `f` (wildcards kept).
    func mapped(_ f: (UInt8) -> UInt8) -> SigmaPattern {
        SigmaPattern(tokens: tokens.map { if case .literal(let b) = $0 { .literal(b.map(f)) } else { $0 } }, cased: cased)
    }

    /// Splits Sigma text into literals and wildcards, resolving escapes.
    static func tokenize(_ s: [UInt8]) -> [Token] {
        var out: [Token] = []
        var lit: [UInt8] = []
        var i = 0
        let bs = UInt8(ascii: "\\"), star = UInt8(ascii: "*"), q = UInt8(ascii: "?")
        func flush() { if !lit.isEmpty { out.append(.literal(lit)); lit = [] } }
        while i < s.count {
            let c = s[i]
            if c == bs, i + 1 < s.count, s[i + 1] == star || s[i + 1] == q || s[i + 1] == bs {
                lit.append(s[i + 1]); i += 2; continue
            }
            if c == star { flush(); out.append(.anyRun) } else if c == q { flush(); out.append(.anyOne) } else { lit.append(c) }
            i += 1
        }
        flush()
        return out
    }

    /// True when the pattern has wildcards (encoders that cannot keep them refuse such values).
    var hasWildcards: Bool { tokens.contains { $0 == .anyRun || $0 == .anyOne } }

    /// True for `*literal*` matched ignoring case: a case-folded literal search decides it alone.
    var isPlainContains: Bool {
        if cased { return false }
        if case .contains = shape { return true }
        return false
    }

    /// The longest literal a matching value must contain (folded unless cased), for candidate pre-filtering.
    var requiredLiteral: [UInt8] {
        var best: [UInt8] = []
        for case .literal(let b) in tokens where b.count > best.count { best = b }
        return best
    }

    @inline(__always) private func eq(_ a: UInt8, _ p: UInt8) -> Bool { (cased ? a : ByteMatch.lower(a)) == p }

    func matches(_ v: UnsafeRawBufferPointer) -> Bool {
        switch shape {
        case .equals(let b):
            return v.count == b.count && startsWith(b, v, at: 0)
        case .prefix(let b):
            return v.count >= b.count && startsWith(b, v, at: 0)
        case .suffix(let b):
            return v.count >= b.count && startsWith(b, v, at: v.count - b.count)
        case .contains(let b):
            return find(b, in: v, from: 0) != nil
        case .glob:
            return glob(v)
        }
    }

    /// The text of `v` this pattern matched, as `v` spells it, for a pattern of one literal (equals, starts with,
    /// ends with, contains); nil for wildcards or no match. A summary quotes the evidence's own spelling
    /// (`ForwardingSmtpAddress`), not the folded literal it compared (reviewer: `'forwardingsmtpaddress'`).
    func spelled(in v: UnsafeRawBufferPointer) -> String? {
        let at: Int?, length: Int
        switch shape {
        case .equals(let b): at = matches(v) ? 0 : nil; length = b.count
        case .prefix(let b): at = matches(v) ? 0 : nil; length = b.count
        case .suffix(let b): at = matches(v) ? v.count - b.count : nil; length = b.count
        case .contains(let b): at = find(b, in: v, from: 0); length = b.count
        case .glob: return nil
        }
        return at.map { String(decoding: UnsafeRawBufferPointer(rebasing: v[$0..<($0 + length)]), as: UTF8.self) }
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    private func startsWith(_ b: [UInt8], _ v: UnsafeRawBufferPointer, at o: Int) -> Bool {
        for i in 0..<b.count where !eq(v[o + i], b[i]) { return false }
        return true
    }

    private func find(_ b: [UInt8], in v: UnsafeRawBufferPointer, from: Int) -> Int? {
        if !cased { return ByteMatch.find(b, in: v, from: from) }
        guard !b.isEmpty else { return from }
        var i = from
        while i + b.count <= v.count {
            if v[i] == b[0] && startsWith(b, v, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// General wildcard match: literals are located left to right, each `*` letting the next literal float.
    private func glob(_ v: UnsafeRawBufferPointer) -> Bool {
        globFrom(token: 0, at: 0, v)
    }

    /// Where the UTF-8 character starting at `p` ends: its lead byte and up to three continuation bytes (a byte
    /// that is no character's start stands alone).
    @inline(__always) private static func characterEnd(_ v: UnsafeRawBufferPointer, _ p: Int) -> Int {
        var q = p + 1
        if v[p] >= 0xC0 { while q < v.count, q < p + 4, v[q] & 0xC0 == 0x80 { q += 1 } }
        return q
    }

    private func globFrom(token k0: Int, at p0: Int, _ v: UnsafeRawBufferPointer) -> Bool {
        var k = k0, p = p0
        while k < tokens.count {
            switch tokens[k] {
            case .anyOne:
                guard p < v.count else { return false }
                p = Self.characterEnd(v, p); k += 1
            case .literal(let b):
                guard p + b.count <= v.count, startsWith(b, v, at: p) else { return false }
                p += b.count; k += 1
            case .anyRun:
                // Following `?`s are that many characters at least; then try each position for the rest.
                var from = p
                k += 1
                while k < tokens.count, tokens[k] == .anyOne {
                    guard from < v.count else { return false }
                    from = Self.characterEnd(v, from); k += 1
                }
                if k == tokens.count { return true }
                guard case .literal(let b) = tokens[k] else { return false }
                while let hit = find(b, in: v, from: from) {
                    if globFrom(token: k + 1, at: hit + b.count, v) { return true }
                    from = hit + 1
                }
                return false
            }
        }
        return p == v.count
    }
}

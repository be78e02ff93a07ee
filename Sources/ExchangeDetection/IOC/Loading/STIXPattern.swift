/// The comparisons of a STIX 2.1 pattern (`[ipv4-addr:value = '1.2.3.4'] OR [file:name = 'x.aspx']`).
///
/// exhunt matches single values, so a pattern is read as the list of its comparisons together with how
/// they were joined. Grouping, observation qualifiers (`WITHIN`, `REPEATS`, `START … STOP`) and
/// `FOLLOWEDBY` are recognised and reported by the loader rather than evaluated.
struct STIXPattern {
    struct Comparison: Equatable {
        /// `object-type:property.path`, with quotes removed from path segments and lower-cased (`file:hashes.sha-256`).
        var path: String
        /// `=`, `!=`, `IN`, `LIKE`, `MATCHES`, …
        var op: String
        var values: [String]
        var negated: Bool
        /// Index of the observation expression (`[…]`) the comparison sits in.
        var observation: Int
        /// The comparison as written, for messages.
        var text: String
    }

    var comparisons: [Comparison] = []
    /// The observations that join comparisons with AND.
    var observationsWithAnd: Set<Int> = []
    /// True when observations are joined with AND (`[…] AND […]`): all must be seen, which single values cannot say.
    var observationsJoinedWithAnd = false
    /// Qualifiers and operators that were read but not evaluated (`WITHIN`, `FOLLOWEDBY`, …).
    var ignored: [String] = []

    enum ParseError: Error, Equatable { case syntax(String) }

    init(_ text: String) throws {
        var lexer = Lexer(Array(text.unicodeScalars))
        var observation = -1
        var depthInObservation = false
        var pendingNot = false
        while let tok = try lexer.next() {
            switch tok {
            case .open("["):
                if depthInObservation { throw ParseError.syntax("nested '['") }
                depthInObservation = true
                observation += 1
            case .close("]"):
                if !depthInObservation { throw ParseError.syntax("']' without '['") }
                depthInObservation = false
            case .open, .close:
                continue
            case .word(let w):
                let upper = w.uppercased()
                if depthInObservation {
                    if upper == "AND" { observationsWithAnd.insert(observation); continue }
                    if upper == "OR" { continue }
                    if upper == "NOT" { pendingNot = true; continue }
                    // A comparison: path, operator, literal(s).
                    guard w.contains(":") else { throw ParseError.syntax("expected an object path, found '\(w)'") }
                    var negated = pendingNot
                    pendingNot = false
                    var opTok = try lexer.next()
                    if case .word(let n)? = opTok, n.uppercased() == "NOT" { negated = true; opTok = try lexer.next() }
                    let op: String
                    switch opTok {
                    case .op(let o)?: op = o
                    case .word(let o)?: op = o.uppercased()
                    default: throw ParseError.syntax("expected an operator after '\(w)'")
                    }
                    var values: [String] = []
                    var shown = ""
                    switch try lexer.next() {
                    case .string(let s)?:
                        values = [s]
                        shown = "'\(s)'"
                    case .open("(")?:
                        while let t = try lexer.next() {
                            if case .close(")") = t { break }
                            if case .string(let s) = t { values.append(s) }
                        }
                        shown = "(" + values.map { "'\($0)'" }.joined(separator: ", ") + ")"
                    case .word(let lit)?:
                        values = [lit]
                        shown = lit
                    default:
                        throw ParseError.syntax("expected a value after '\(w) \(op)'")
                    }
                    comparisons.append(Comparison(path: Self.normalizedPath(w), op: op, values: values, negated: negated,
                                                  observation: observation,
                                                  text: "\(negated ? "NOT " : "")\(w) \(op) \(shown)"))
                } else {
                    switch upper {
                    case "OR": continue
                    case "AND": observationsJoinedWithAnd = true
                    case "FOLLOWEDBY", "WITHIN", "REPEATS", "START", "STOP", "TIMES", "SECONDS":
                        if !ignored.contains(upper) { ignored.append(upper) }
                    default:
                        if Double(w) == nil { throw ParseError.syntax("unexpected '\(w)' outside '[…]'") }
                    }
                }
            case .string:
                if depthInObservation { throw ParseError.syntax("unexpected string literal") }
            case .op(let o):
                throw ParseError.syntax("unexpected '\(o)'")
            }
        }
        if depthInObservation { throw ParseError.syntax("missing ']'") }
        if observation < 0 { throw ParseError.syntax("no '[…]' observation expression") }
    }

    /// `file:hashes.'SHA-256'` → `file:hashes.sha-256`.
    static func normalizedPath(_ p: String) -> String {
        String(p.unicodeScalars.filter { $0 != "'" }).lowercased()
    }

    enum Token: Equatable {
        case open(Character), close(Character), word(String), string(String), op(String)
    }

    struct Lexer {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }

        mutating func next() throws -> Token? {
            while i < s.count, s[i].properties.isWhitespace { i += 1 }
            guard i < s.count else { return nil }
            let c = s[i]
            switch c {
            case "[", "(":
                i += 1
                return .open(Character(c))
            case "]", ")":
                i += 1
                return .close(Character(c))
            case "'":
                return .string(try literal())
            case "=", "!", "<", ">":
                var o = String(c)
                i += 1
                if i < s.count, s[i] == "=" { o.append("="); i += 1 }
                return .op(o)
            default:
                // A word: keyword, number, prefixed literal (t'…', h'…', b'…') or object path with quoted segments.
                if (c == "t" || c == "h" || c == "b"), i + 1 < s.count, s[i + 1] == "'" {
                    i += 1
                    return .word(try literal())
                }
                var w = ""
                while i < s.count {
                    let d = s[i]
                    if d == "'" {
                        w.unicodeScalars.append(d)
                        i += 1
                        while i < s.count, s[i] != "'" { w.unicodeScalars.append(s[i]); i += 1 }
                        guard i < s.count else { throw ParseError.syntax("unterminated quoted path segment") }
                        w.unicodeScalars.append(s[i])
                        i += 1
                        continue
                    }
                    if d.properties.isWhitespace || "[]()=!<>".unicodeScalars.contains(d) { break }
                    w.unicodeScalars.append(d)
                    i += 1
                }
                return .word(w)
            }
        }

        /// A `'…'` literal with `\'` and `\\` escapes.
        private mutating func literal() throws -> String {
            i += 1
            var out = ""
            while i < s.count {
                let c = s[i]
                if c == "\\", i + 1 < s.count {
                    out.unicodeScalars.append(s[i + 1])
                    i += 2
                    continue
                }
                if c == "'" { i += 1; return out }
                out.unicodeScalars.append(c)
                i += 1
            }
            throw ParseError.syntax("unterminated string literal")
        }
    }
}

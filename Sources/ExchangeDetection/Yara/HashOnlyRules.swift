import Foundation

/// Finds rules whose whole condition compares the file's SHA-256 with literals — `hash.sha256(0, filesize) == "…"`
/// or the external `sha256 == "…"`, joined by `or`. exhunt already hashed every loaded file (and file-hash
/// listings carry digests of files never collected), so such rules are answered from those digests: no scan,
/// and they match the file as collected even where the scanned buffer is its decoded text.
enum HashOnlyRules {
    /// Rule name → the lower-case SHA-256 values its condition accepts.
    static func find(in sources: [String]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for text in sources {
            let clean = stripComments(text)
            let ns = clean as NSString
            let header = try! NSRegularExpression(pattern: #"(?:^|\s)(?:(?:private|global)\s+)*rule\s+([A-Za-z_][A-Za-z0-9_]*)[^{]*\{"#)
            for m in header.matches(in: clean, range: NSRange(location: 0, length: ns.length)) {
                let name = ns.substring(with: m.range(at: 1))
                let bodyStart = m.range.location + m.range.length
                guard let body = ruleBody(ns, from: bodyStart), let condition = conditionText(body) else { continue }
                if let hashes = hashOnly(condition) { out[name] = hashes }
            }
        }
        return out
    }

    /// The text up to the brace closing the rule (braces inside strings and hex strings skipped).
    private static func ruleBody(_ s: NSString, from start: Int) -> String? {
        var depth = 1, i = start, inString = false
        while i < s.length {
            let c = s.character(at: i)
            if inString {
                if c == 0x5C { i += 1 } else if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c == 0x7B {
                depth += 1
            } else if c == 0x7D {
                depth -= 1
                if depth == 0 { return s.substring(with: NSRange(location: start, length: i - start)) }
            }
            i += 1
        }
        return nil
    }

    private static func conditionText(_ body: String) -> String? {
        guard let r = body.range(of: #"(?m)^\s*condition\s*:"#, options: .regularExpression) else { return nil }
        return String(body[r.upperBound...])
    }

    /// The hashes when the condition is only `TERM or TERM …` (parentheses allowed), nil otherwise.
    static func hashOnly(_ condition: String) -> Set<String>? {
        let term = #"(?:hash\.sha256\(\s*0\s*,\s*filesize\s*\)|sha256)\s*==\s*"([0-9A-Fa-f]{64})""#
        let regex = try! NSRegularExpression(pattern: term)
        let ns = condition as NSString
        var hashes = Set<String>()
        for m in regex.matches(in: condition, range: NSRange(location: 0, length: ns.length)) {
            hashes.insert(ns.substring(with: m.range(at: 1)).lowercased())
        }
        guard !hashes.isEmpty else { return nil }
        let rest = regex.stringByReplacingMatches(in: condition, range: NSRange(location: 0, length: ns.length), withTemplate: " ")
        let leftover = rest.replacingOccurrences(of: #"\bor\b|[()\s]"#, with: "", options: .regularExpression)
        return leftover.isEmpty ? hashes : nil
    }

    private static func stripComments(_ s: String) -> String {
        s.replacingOccurrences(of: #"/\*[\s\S]*?\*/"#, with: " ", options: .regularExpression)
            .replacingOccurrences(of: #"(?m)(^|\s)//[^\n]*$"#, with: "$1", options: .regularExpression)
    }
}

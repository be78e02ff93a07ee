/// Splits command lines the way a POSIX shell would, so quoting users already know works:
/// `'single'`, `"double"` (with `\"` and `\\`), backslash escapes, `#` comments at a word start,
/// `;` between commands, and `$VAR` / `${VAR}` expansion outside single quotes.
public enum Tokenizer {
    /// Whether `name` can be a variable (`set NAME VALUE`, `exhunt --set NAME=VALUE`): a letter or `_`, then
    /// letters, digits or `_`, so `$NAME` in a command reads it back whole.
    public static func isVariableName(_ name: String) -> Bool {
        name.first.map { $0.isLetter || $0 == "_" } == true && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The commands of one line, each as its words. Empty commands are dropped.
    /// - Parameter variables: looks a variable up; nil means undefined, which is an error.
    public static func commands(_ line: String, variables: (String) -> String? = { _ in nil }) throws -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = Array(line.unicodeScalars)
        var i = 0
        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        func expand(_ start: Int) throws -> Int {
            // chars[start] == "$"; returns the index after the variable.
            var j = start + 1
            var name = ""
            if j < chars.count && chars[j] == "{" {
                j += 1
                while j < chars.count && chars[j] != "}" { name.unicodeScalars.append(chars[j]); j += 1 }
                guard j < chars.count else { throw Failure(description: "unterminated ${ in \"\(line)\"") }
                j += 1
            } else {
                while j < chars.count, chars[j] == "_" || chars[j].properties.isAlphabetic || ("0"..."9").contains(chars[j]) {
                    name.unicodeScalars.append(chars[j]); j += 1
                }
            }
            if name.isEmpty { word.append("$"); return start + 1 }
            guard let value = variables(name) else { throw Failure(description: "undefined variable $\(name)") }
            word += value
            return j
        }
        chars.append("\0")
        let n = chars.count - 1
        while i < n {
            let c = chars[i]
            switch c {
            case " ", "\t", "\r", "\n":
                endWord(); i += 1
            case ";":
                endWord()
                if !words.isEmpty { commands.append(words) }
                words = []; i += 1
            case "#" where !inWord:
                i = n
            case "'":
                inWord = true
                i += 1
                while i < n && chars[i] != "'" { word.unicodeScalars.append(chars[i]); i += 1 }
                guard i < n else { throw Failure(description: "unterminated ' quote") }
                i += 1
            case "\"":
                inWord = true
                i += 1
                while i < n && chars[i] != "\"" {
                    if chars[i] == "\\" && i + 1 < n && "\"\\$".unicodeScalars.contains(chars[i + 1]) {
                        word.unicodeScalars.append(chars[i + 1]); i += 2
                    } else if chars[i] == "$" {
                        i = try expand(i)
                    } else {
                        word.unicodeScalars.append(chars[i]); i += 1
                    }
                }
                guard i < n else { throw Failure(description: "unterminated \" quote") }
                i += 1
            case "\\":
                inWord = true
                if i + 1 < n { word.unicodeScalars.append(chars[i + 1]) }
                i += 2
            case "$":
                inWord = true
                i = try expand(i)
            default:
                inWord = true
                word.unicodeScalars.append(c)
                i += 1
            }
        }
        endWord()
        if !words.isEmpty { commands.append(words) }
        return commands
    }

    /// Splits a line into its `;`-separated commands without expanding variables, so that
    /// `set EV 1200; show $EV` expands `$EV` only when its command runs.
    public static func segments(_ line: String) throws -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        var atWordStart = true
        for c in line {
            if escaped { current.append(c); escaped = false; atWordStart = false; continue }
            if let q = quote {
                current.append(c)
                if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "\\": current.append(c); escaped = true
            case "'", "\"": current.append(c); quote = c
            case ";": out.append(current); current = ""; atWordStart = true; continue
            case "#" where atWordStart: return (out + [current]).filter { !$0.allSatisfy(\.isWhitespace) }
            default: current.append(c)
            }
            atWordStart = c == " " || c == "\t"
        }
        if quote != nil { throw Failure(description: "unterminated \(quote!) quote") }
        return (out + [current]).filter { !$0.allSatisfy(\.isWhitespace) }
    }

    /// Quotes a word so `commands` gives it back unchanged (for recorded scripts and messages).
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || "0123456789-_./:=,@+%~".unicodeScalars.contains($0) }) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

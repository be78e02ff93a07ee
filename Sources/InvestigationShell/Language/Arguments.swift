/// One option a command accepts. Every command also gets `--json` and `--help`.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable { case flag, value, repeated }
    public var name: String
    public var short: Character?
    public var kind: Kind
    public var valueName: String
    public var help: String
    /// Words offered by Tab completion for the value.
    public var choices: [String]

    public static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, kind: .flag, valueName: "", help: help, choices: [])
    }
    public static func value(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, choices: [String] = []) -> OptionSpec {
        OptionSpec(name: name, short: short, kind: .value, valueName: valueName, help: help, choices: choices)
    }
    public static func repeated(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: nil, kind: .repeated, valueName: valueName, help: help, choices: [])
    }
}

/// A command's parsed words: options by name, and positional arguments in order.
public struct Arguments: Sendable {
    public var positional: [String] = []
    var flags: Set<String> = []
    var values: [String: [String]] = [:]

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func value(_ name: String) -> String? { values[name]?.last }
    public func values(_ name: String) -> [String] { values[name] ?? [] }
    public func has(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }
    /// The options given, by name.
    public var given: Set<String> { flags.union(values.keys) }

    /// Parses `words` (without the command name) against `specs`; `--` ends options.
    public static func parse(_ words: [String], specs: [OptionSpec], command: String) throws -> Arguments {
        var out = Arguments()
        var i = 0
        var optionsDone = false
        while i < words.count {
            let w = words[i]
            i += 1
            if optionsDone || !w.hasPrefix("-") || w == "-" || Double(w) != nil {
                out.positional.append(w)
                continue
            }
            if w == "--" { optionsDone = true; continue }
            var name: String
            var inline: String?
            if w.hasPrefix("--") {
                name = String(w.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                let ch = w.dropFirst().first!
                if ch.isNumber {                      // relative times like -2h are values, not options
                    out.positional.append(w)
                    continue
                }
                guard let spec = specs.first(where: { $0.short == ch }), w.count == 2 else {
                    throw ShellError("\(command): unknown option '\(w)'" + suggestion(w, specs))
                }
                name = spec.name
            }
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw ShellError("\(command): unknown option '--\(name)'" + suggestion(name, specs))
            }
            switch spec.kind {
            case .flag:
                if inline != nil { throw ShellError("\(command): --\(name) takes no value") }
                out.flags.insert(name)
            case .value, .repeated:
                let v: String
                if let inline { v = inline } else {
                    guard i < words.count else { throw ShellError("\(command): --\(name) needs a value (\(spec.valueName))") }
                    v = words[i]
                    i += 1
                }
                if !spec.choices.isEmpty && !spec.choices.contains(v) {
                    throw ShellError("\(command): --\(name) must be one of \(spec.choices.joined(separator: ", ")), not '\(v)'")
                }
                // An option that takes one value, given two: the last silently winning hid the first (reviewer).
                if spec.kind == .value, let first = out.values[name]?.first, first != v {
                    throw ShellError("\(command): --\(name) given twice ('\(TerminalText.escape(first))', '\(TerminalText.escape(v))'); it takes one value")
                }
                out.values[name, default: []].append(v)
            }
        }
        return out
    }

    static func suggestion(_ word: String, _ specs: [OptionSpec]) -> String {
        let bare = word.trimmingCharacters(in: ["-"])
        guard !bare.isEmpty else { return "" }
        // A misspelling (`--sever`), or part of a longer name (`--severity` for `--min-severity`).
        let names = specs.map(\.name)
        if let close = names.min(by: { levenshtein($0, bare) < levenshtein($1, bare) }), levenshtein(close, bare) <= 2 {
            return " (did you mean --\(close)?)"
        }
        let containing = names.filter { $0.contains(bare) || (bare.count >= 4 && bare.contains($0)) }
        guard !containing.isEmpty else { return "" }
        return " (did you mean " + containing.prefix(3).map { "--" + $0 }.joined(separator: " or ") + "?)"
    }
}

import Foundation

/// `set NAME VALUE`: session settings (`output`, `timezone`) and script variables.
struct SetCommand: Command {
    var name: String { "set" }
    var summary: String { "change a setting (output table|json, timezone ZONE, timer on|off) or set a variable used as $NAME" }
    var usage: String { "set [output table|json | timezone ZONE | timer on|off | NAME VALUE | NAME=VALUE]" }
    var completion: ArgumentCompletion { .words(["output", "timer", "timezone"]) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        var p = args.positional
        let s = ctx.session
        if p.isEmpty {
            let vars = s.variables.sorted { $0.key < $1.key }
            if ctx.wantsJSON {
                ctx.json(.object([("output", .string(s.settings.output.rawValue)), ("timezone", .string(s.settings.timezoneName)), ("timer", .bool(s.settings.timer)),
                                  ("variables", .object(vars.map { ($0.key, .string($0.value)) }))]))
                return
            }
            ctx.line("output    \(s.settings.output.rawValue)")
            ctx.line("timezone  \(s.settings.timezoneName)")
            ctx.line("timer     \(s.settings.timer ? "on" : "off")")
            for (k, v) in vars { ctx.line("$\(k) = \(TerminalText.escape(v))") }
            return
        }

        // `set EV=370`, as `exhunt --set EV=370` writes it, is `set EV 370`.
        if p.count == 1, let eq = p[0].firstIndex(of: "="), eq != p[0].startIndex {
            p = [String(p[0][..<eq]), String(p[0][p[0].index(after: eq)...])]
        }
        guard p.count == 2 else { throw ShellError("usage: \(usage)") }
        switch p[0] {
        case "output":
            guard let mode = Settings.OutputMode(rawValue: p[1]) else { throw ShellError("set output: use table or json") }
            s.settings.output = mode
        case "timer":
            guard p[1] == "on" || p[1] == "off" else { throw ShellError("set timer: use on or off") }
            s.settings.timer = p[1] == "on"
        case "timezone":
            guard let tz = TimeZone(identifier: p[1]) else {
                throw ShellError("set timezone: unknown zone '\(TerminalText.escape(p[1]))' (use an IANA name such as Europe/Amsterdam or UTC)")
            }
            s.settings.timezone = tz
            s.settings.timezoneName = p[1]
        default:
            guard Tokenizer.isVariableName(p[0]) else {
                throw ShellError("set: '\(TerminalText.escape(p[0]))' is not a setting or a variable name")
            }
            s.variables[p[0]] = p[1]
        }
    }
}

import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `ioc`: the indicator sets `grep-ioc` searches — list them with their provenance, load a published file
/// (STIX 2.1, MSTIC feed CSV/JSON, MISP event, plain list), add the analyst's own, show one set, or export
/// the strings for other tools.
struct IOCCommand: Command {
    var name: String { "ioc" }
    var summary: String { "indicator sets: list, load a STIX/MSTIC/MISP/plain file, add your own, show one, export strings" }
    var usage: String { "ioc sets | load FILE [--name NAME] | add TYPE VALUE [--note TEXT] | show SET | export-patterns [SET…]" }
    var options: [OptionSpec] {
        [.value("name", "NAME", "ioc load: name of the new set (default: the file name without extension)"),
         .value("note", "TEXT", "ioc add: why the indicator matters, shown with its hits")]
    }
    var completion: ArgumentCompletion { .words(["sets", "load", "add", "show", "export-patterns"]) }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        CaseState.of(ctx.session).syncIndicators(ctx.session)
        let sub = args.positional.first ?? "sets"          // bare `ioc` lists the sets
        let rest = Array(args.positional.dropFirst())
        let library = ctx.session.indicatorLibrary
        switch sub {
        case "sets": listSets(library, ctx)
        case "load":
            guard rest.count == 1 else { throw ShellError("usage: ioc load FILE [--name NAME]") }
            try load((rest[0] as NSString).expandingTildeInPath, name: args.value("name"), library, ctx)
        case "add":
            guard rest.count >= 2 else { throw ShellError("usage: ioc add TYPE VALUE [--note TEXT]") }
            try add(rest[0], rest.dropFirst().joined(separator: " "), note: args.value("note") ?? "", library, ctx)
        case "show":
            guard rest.count == 1 else { throw ShellError("usage: ioc show SET") }
            try show(rest[0], library, ctx)
        case "export-patterns":
            let indicators: [Indicator]
            do { indicators = try library.select(sets: rest, types: []) } catch { throw ShellError("ioc: \(error)") }
            // Raw lines for `rg -F -f`: one value a line, folders left out as grep-ioc leaves them out, and CIDR
            // blocks, which no fixed string finds.
            let values = indicators.filter { !$0.isDirectory && !$0.isBlock }.map(\.value)
            let blocks = indicators.filter(\.isBlock).count
            if blocks > 0 { ctx.diagnostic("\(blocks) CIDR block\(blocks == 1 ? "" : "s") left out: a fixed-string search cannot match \(blocks == 1 ? "it" : "them")") }
            if ctx.wantsJSON { ctx.json(.object([("patterns", .strings(values))])) } else { for v in values { ctx.line(v) } }
        default:
            throw ShellError("ioc: unknown subcommand '\(TerminalText.escape(sub))'; usage: \(usage)")
        }
    }

    private func listSets(_ library: IndicatorLibrary, _ ctx: CommandContext) {
        if ctx.wantsJSON {
            ctx.json(.array(library.sets.map { s in
                .object([("set", .string(s.name)), ("builtin", .bool(s.builtIn)), ("indicators", .int(s.indicators.count)),
                         ("types", .object(s.countsByType.map { ($0.type.rawValue, .int($0.count)) })),
                         ("provenance", .string(s.provenance))])
            }))
            return
        }
        var table = TextTable(["set", "indicators", "types", "provenance"])
        table.rightAligned = [1]
        for s in library.sets {
            table.add([s.name + (s.builtIn ? "" : " *"), String(s.indicators.count),
                       s.countsByType.map { "\($0.type.rawValue) \($0.count)" }.joined(separator: ", "), s.provenance])
        }
        ctx.table(table)
        if library.sets.contains(where: { !$0.builtIn }) { ctx.line("* loaded or added in this session") }
        for p in library.builtInProblems { ctx.diagnostic("built-in data: " + TerminalText.escape(p.description)) }
    }

    private func load(_ path: String, name: String?, _ library: IndicatorLibrary, _ ctx: CommandContext) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ShellError("ioc load: cannot read '\(TerminalText.escape(path))'")
        }
        let r = IndicatorFileLoader.load(path: path, setName: name)
        // A binary, truncated or wrong file gives no indicator at all: an empty set would only look loaded.
        guard !r.set.indicators.isEmpty else { throw ShellError(Self.nothingLoaded(path, r)) }
        do { try library.add(r.set) } catch { throw ShellError("ioc load: \(TerminalText.escape("\(error)"))") }
        if ctx.wantsJSON {
            ctx.json(.object([
                ("set", .string(r.set.name)), ("file", .string(path)), ("format", .string(r.format.rawValue)),
                ("indicators", .int(r.set.indicators.count)),
                ("types", .object(r.set.countsByType.map { ($0.type.rawValue, .int($0.count)) })),
                ("problem_count", .int(r.problemCount)),
                ("repeated", .int(r.repeated)),
                ("problems", .array(r.problems.map { p in
                    .object([("file", .string(p.file)), ("line", p.line.map { .int($0) } ?? .null), ("message", .string(p.message))])
                })),
            ]))
            return
        }
        let types = r.set.countsByType.map { "\($0.type.rawValue) \($0.count)" }.joined(separator: ", ")
        ctx.status(TerminalText.escape("loaded \(r.set.indicators.count) indicator\(r.set.indicators.count == 1 ? "" : "s") into set \(r.set.name) from \(path) (\(r.format.rawValue))"
            + (types.isEmpty ? "" : ": \(types)")))
        // Feeds repeat rows; a hand-made list that repeats one may hold a typo where a second value was meant.
        if r.repeated > 0 {
            ctx.status(TerminalText.escape("\(r.repeated) repeated value\(r.repeated == 1 ? "" : "s") kept once"
                + (r.firstRepeat.map { " (first: \($0))" } ?? "")))
        }
        // Problems are status, as `rules load` prints its own: in a pipe they go to stderr with the `loaded` line.
        if r.problemCount > 0 {
            ctx.status("\(r.problemCount) problem\(r.problemCount == 1 ? "" : "s"):")
            for p in r.problems { ctx.status("  " + TerminalText.escape(p.description)) }
        }
    }

    /// `ioc load: no indicators in x.evtx (plain list), no set created: x.evtx: binary data, not an indicator file`:
    /// the first problems say why; the rest are counted.
    private static func nothingLoaded(_ path: String, _ r: IOCLoadResult) -> String {
        let shown = 3
        let why = r.problems.isEmpty ? "nothing in it is an indicator"
            : r.problems.prefix(shown).map(\.description).joined(separator: "; ")
              + (r.problemCount > shown ? " (+\(r.problemCount - shown) more problem\(r.problemCount - shown == 1 ? "" : "s"))" : "")
        return "ioc load: " + TerminalText.escape("no indicators in \(path) (\(r.format.rawValue)), no set created: \(why)")
    }

    private func add(_ typeName: String, _ value: String, note: String, _ library: IndicatorLibrary, _ ctx: CommandContext) throws {
        guard let type = IndicatorType(name: typeName) else {
            throw ShellError("ioc add: unknown type '\(TerminalText.escape(typeName))' (types: \(IndicatorType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let today = String(Timestamp.iso(Int64(Date().timeIntervalSince1970 * 1000)).prefix(10))
        let i: Indicator
        do { i = try library.addAnalystIndicator(type, value, note: note, date: today) } catch {
            throw ShellError("ioc add: \(TerminalText.escape("\(error)"))")
        }
        let casePath = try CaseState.of(ctx.session).keepIndicator(
            AnalystIOC(type: i.type.rawValue, value: i.value, note: note, user: CaseState.user, time: CaseState.now))
        if ctx.wantsJSON {
            guard case .object(let pairs) = json(i) else { return }
            ctx.json(.object(pairs + [("case", .optional(casePath))]))
            return
        }
        ctx.status(TerminalText.escape("added \(i.type.rawValue) \(i.value) to set \(IndicatorLibrary.analystSet)"
                                     + (casePath.map { " and to case \($0)" } ?? "")))
    }

    private func show(_ name: String, _ library: IndicatorLibrary, _ ctx: CommandContext) throws {
        guard let set = library.set(named: name) else {
            throw ShellError("ioc show: no set '\(TerminalText.escape(name))'; sets: \(library.sets.map(\.name).joined(separator: ", "))")
        }
        if ctx.wantsJSON { ctx.json(.array(set.indicators.map(json))); return }
        ctx.line(TerminalText.escape("\(set.name): \(set.provenance)"))
        var table = TextTable(["type", "value", "date", "source", "note"])
        for i in set.indicators {
            table.add([i.type.rawValue + (i.isDirectory ? " (folder)" : ""), i.value, i.date, i.source, i.note])
        }
        ctx.table(table)
        if set.indicators.contains(where: \.isDirectory) {
            ctx.line("(folder) indicators are listed, not matched: standard Exchange files live in the same folders")
        }
    }

    private func json(_ i: Indicator) -> JSONValue {
        .object([("type", .string(i.type.rawValue)), ("value", .string(i.value)), ("normalized", .string(i.normalized)),
                 ("set", .string(i.set)), ("source", .string(i.source)), ("date", .string(i.date)), ("note", .string(i.note)),
                 ("valid_from", .string(i.validFrom)), ("valid_until", .string(i.validUntil)), ("matched", .bool(!i.isDirectory))])
    }
}

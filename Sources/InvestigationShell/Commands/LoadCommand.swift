import ExchangeEvidence
import Foundation

/// `load PATH`: adds an evidence set (folder, zip or file) to the session.
struct LoadCommand: Command {
    var name: String { "load" }
    var summary: String { "load an evidence set: a folder, a .zip or a single log file ('load demo' for the training set)" }
    var usage: String { "load PATH|demo [--name NAME] [--server NAME] [--copy] [--max-inflate SIZE] [--local-time ZONE] [--date-order day-first|month-first] [--quiet]" }
    var options: [OptionSpec] {
        [.value("name", "NAME", "name of the evidence set (default: the folder or zip name)"),
         .value("server", "NAME", "server name for every file (default: from the layout or the logs)"),
         .flag("copy", "read the files into memory instead of mapping them (evidence on mounts that may change or fail)"),
         .value("max-inflate", "SIZE", "total bytes zips may inflate in this load, e.g. 20G (default: 100× each zip's size, at most twice the free memory)"),
         .value("local-time", "ZONE", "IANA zone (Europe/Oslo) of evidence written in the collecting machine's local time: Test-ProxyLogon's -Cve-2021-26857.csv, listings' LastWriteTime (default: read as UTC, with a problem)"),
         .value("date-order", "ORDER", "how to read dates such as 3/4/2021 in a file listing or Test-ProxyLogon's -Cve-2021-26857.csv when no day above 12 settles it (default: month first, with a problem)", choices: ["day-first", "month-first"]),
         .flag("quiet", "print the summary on stderr (results on stdout stay clean, as with exhunt --demo)")]
    }
    /// `demo` beside paths: the training set is loaded by that name.
    var completion: ArgumentCompletion { .wordsAndFiles(["demo"]) }
    /// A log collected again is compared with the copy loaded before (`EvidenceFile.continuesFrom`): that copy's
    /// mapping is read, so it is first checked against the disk.
    func readsEvidence(_ args: Arguments) -> Bool { true }

    func run(_ args: Arguments, in ctx: CommandContext) throws {
        guard args.positional.count == 1 else { throw ShellError("usage: \(usage)") }
        var path = args.positional[0]
        var setName = args.value("name")
        if path == "demo" {
            guard let training = TrainingSet.locate(ctx.session.help) else {
                throw ShellError("the training evidence set was not found (looked for help/training beside the help files)")
            }
            path = training.path
            setName = setName ?? "training"
        }
        path = (path as NSString).expandingTildeInPath
        // A lesson's session holds the training set only: other evidence loaded now could not be unloaded, and its
        // servers would stand beside the training ones in hunts and reports (reviewer).
        if LessonRun.of(ctx.session).lesson != nil,
           TrainingSet.locate(ctx.session.help).map({ URL(fileURLWithPath: path).standardizedFileURL.path != $0.standardizedFileURL.path }) ?? true {
            throw ShellError("load: a lesson is running on the training set; 'exit' it, then load other evidence in a shell of its own")
        }
        // Two collections in folders of one name (run1/EX07, run2/EX07) must not be two sets of one name, or
        // `SET/PATH` could not tell their files apart: a given name is refused, a folder's name is numbered.
        let elsewhere = ctx.session.loads.filter { $0.root != path }.map { $0.evidenceSet.lowercased() }
        if let given = setName, elsewhere.contains(given.lowercased()) {
            throw ShellError("load: an evidence set named '\(TerminalText.escape(given))' is already loaded from another path; choose another --name")
        }
        let base = EvidenceLoader.setName(of: path)
        if setName == nil, elsewhere.contains(base.lowercased()) {
            let free = (2...).lazy.map { "\(base)-\($0)" }.first { !elsewhere.contains($0.lowercased()) }!
            ctx.diagnostic("note: a set named '\(TerminalText.escape(base))' is already loaded from another path: this one is '\(TerminalText.escape(free))' (--name sets a name)")
            setName = free
        }
        var loader = EvidenceLoader()
        loader.copy = args.flag("copy")
        if let text = args.value("max-inflate") {
            guard let size = ByteSize.parse(text) else {
                throw ShellError("load: --max-inflate wants a size such as 500M, 20G or 1T, not '\(TerminalText.escape(text))'")
            }
            loader.maxInflate = size
        }
        if let text = args.value("local-time") {
            guard let zone = TimeZone(identifier: text) else {
                throw ShellError("load: --local-time wants an IANA zone name such as Europe/Oslo, America/New_York or UTC, not '\(TerminalText.escape(text))'")
            }
            loader.localTimeZone = zone
        }
        switch args.value("date-order") {
        case "day-first"?: loader.dateOrder = .dayFirst
        case "month-first"?: loader.dateOrder = .monthFirst
        default: break
        }
        loader.isCancelled = ctx.session.isCancelled
        loader.progress = ctx.session.loadProgress
        let report: LoadReport
        let filesBefore = ctx.session.store.files.count
        do {
            report = try loader.load(path, name: setName, server: args.value("server"), into: ctx.session.store)
        } catch {
            throw ShellError("load: \(error)")
        }
        if report.filesAdded == 0 && report.duplicatesSkipped == 0 && !report.cancelled {
            let skipped = report.discoveryProblems.isEmpty ? "" : "; skipped: " + report.discoveryProblems.prefix(3)
                .map { "\(TerminalText.escape($0.path)) (\(TerminalText.escape($0.message)))" }.joined(separator: ", ")
            let own = report.ownFiles.isEmpty ? "" : "; not evidence: " + report.ownFiles.prefix(3)
                .map { "\(TerminalText.escape($0.path)) (\(TerminalText.escape($0.what)))" }.joined(separator: ", ")
            throw ShellError("load: no evidence files in \(TerminalText.escape(path))\(skipped)\(own)")
        }
        // A load that added nothing (every file already loaded) is no evidence set of its own: `info` and the
        // report list only the sets that brought evidence. One that completes an interrupted set is kept: the set
        // is then whole.
        if report.filesAdded > 0 || report.cancelled || ctx.session.interruptedLoads.contains(where: { $0.evidenceSet == report.evidenceSet }) {
            ctx.session.loads.append(report)
        }
        // Thrown after the summary either way: quiet is for scripts, which most need it (cut logs given to triage).
        let failure = Self.nothingRead(report, files: ctx.session.store.files[filesBefore...]).map { ShellError(TerminalText.escape("load: \($0)")) }
        // `--quiet` sends the summary and what follows it to stderr, whatever stdout is: the warnings (guessed servers
        // or times, zips' SHA-256, marks that follow) are what a script's log must keep (reviewer: they were dropped).
        let quiet = args.flag("quiet")
        let say: (String) -> Void = quiet ? { ctx.diagnostic($0) } : { ctx.status($0) }
        // JSON on stdout; the lines for people follow all the same, on stderr (`status`), as for every writer.
        if ctx.wantsJSON && !quiet {
            ctx.json(.object([
                ("evidence_set", .string(report.evidenceSet)), ("root", .string(report.root)),
                ("files", .int(report.filesAdded)), ("events", .int(report.eventsAdded)), ("bytes", .int(report.bytesRead)),
                ("servers", .strings(report.servers)), ("problems", .int(report.problems)),
                ("skipped", .array(report.discoveryProblems.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
                ("own_files", .array(report.ownFiles.map { .object([("path", .string($0.path)), ("what", .string($0.what))]) })),
                ("duplicates", .int(report.duplicatesSkipped)), ("cancelled", .bool(report.cancelled)),
                ("recognised_files", .int(report.recognisedFiles)),
                ("zips", .array(report.zips.map { .object([("path", .string($0.path)), ("bytes", .int($0.size)), ("sha256", .string($0.sha256))]) })),
                ("warning", (Self.nothingRecognised(report) ?? Self.unnamed(report, server: args.value("server"))).map { .string($0) } ?? .null),
                ("inside_folder", report.context.map { .string($0) } ?? .null),
                ("guessed_servers", .array(report.guessedServers.map { .object([("path", .string($0.path)), ("server", .string($0.server))]) })),
                ("other_computers", .array(report.otherComputers.map {
                    .object([("path", .string($0.path)), ("computer", .string($0.computer)), ("server", .string($0.server))]) })),
                ("continued", .array(report.continued.map {
                    .object([("path", .string($0.path)), ("earlier", .string($0.earlier)), ("events_counted_there", .int($0.events))])
                })),
            ]))
        }
        say(TerminalText.escape(Self.summary(report)))
        for z in report.zips { say("  zip \(TerminalText.escape(z.path)): \(z.size) bytes, sha256:\(z.sha256)") }
        for p in report.discoveryProblems {
            say("  \(p.skipped ? "skipped" : "damaged") \(TerminalText.escape(p.path)): \(TerminalText.escape(p.message))")
        }
        for p in report.ownFiles {
            say("  not evidence: \(TerminalText.escape(p.path)): \(TerminalText.escape(p.what)); not loaded")
        }
        if report.cancelled {
            ctx.session.interruptNoticed = true
            say("load interrupted: the files read before the interruption (Ctrl-C, SIGTERM or SIGHUP) are kept; the rest of \(TerminalText.escape(report.evidenceSet)) "
                       + "is not read (load it again to read it: files already read are skipped)")
        }
        if let warning = Self.nothingRecognised(report) ?? Self.unnamed(report, server: args.value("server")) {
            say(TerminalText.escape(warning))
        }
        if let warning = Self.guessed(report) { say(TerminalText.escape(warning)) }
        if let context = report.context, args.value("server") == nil, let server = report.servers.first {
            say(TerminalText.escape("note: filed under \(server), the server folder above the loaded path (\(context)), as when that "
                                           + "folder is loaded; --server NAME files it elsewhere"))
        }
        if let note = Self.continued(report) { say(TerminalText.escape(note)) }
        if let warning = Self.otherComputers(report) { say(TerminalText.escape(warning)) }
        if let warning = Self.guessedTimes(ctx.session.store.files[filesBefore...]) { say(TerminalText.escape(warning)) }
        if !report.overriddenServers.isEmpty, let forced = args.value("server") {
            say(TerminalText.escape("warning: --server \(forced) files the evidence of \(report.overriddenServers.joined(separator: ", ")) under one server: "
                                           + "rules will join their events; load each server's folder with its own --server"))
        }
        if let note = CaseState.of(ctx.session).recollectedNote(ctx.session.store) { say(note) }
        if let note = CaseState.of(ctx.session).unloadedNote(ctx.session.store) { say(TerminalText.escape(note)) }
        if let failure { throw failure }
    }

    /// Why a load that read no event at all, every file of it with problems (event logs cut to their header),
    /// fails: a hunt over it would report a clean server (reviewer: two unreadable `.evtx` gave "no findings",
    /// exit 0). The files stay loaded, as an interrupted load's do, so their SHA-256 are on record. A load of
    /// only files nothing recognised (`load x.dll`) keeps its warning instead; a valid log with no record has
    /// no problem and loads.
    static func nothingRead(_ report: LoadReport, files: ArraySlice<EvidenceFile>) -> String? {
        guard report.filesAdded > 0, report.eventsAdded == 0, report.recognisedFiles > 0, !report.cancelled,
              files.allSatisfy({ $0.problems.total > 0 }) else { return nil }
        let named = files.prefix(3).map { EventlessFile($0).description }.joined(separator: "; ") + (files.count > 3 ? "; …" : "")
        return "no event could be read from \(report.root): \(count(files.count, "file")), none readable (\(named)); "
            + "\(files.count == 1 ? "it stays" : "they stay") loaded with \(files.count == 1 ? "its" : "their") SHA-256 ('sources --files', 'sources --problems')"
    }

    /// The warning for files no path, log or file name tied to a server: they are filed under `unknown`, with
    /// every other such file of the session, so rules would join evidence of different machines.
    static func unnamed(_ report: LoadReport, server: String?) -> String? {
        guard server == nil, report.servers.contains("unknown") else { return nil }
        return "warning: no server name in the path, the file name or the logs: these events are on server 'unknown', "
            + "with any other evidence loaded without one; 'load PATH --server NAME' names it"
    }

    /// The warning for logs that name no server, filed under the server most logs of their folder name (or under
    /// their address, beside logs that answered on others): their findings and coverage count for that server, which
    /// may not be the one that wrote them.
    static func guessed(_ report: LoadReport) -> String? {
        guard !report.guessedServers.isEmpty else { return nil }
        let one = report.guessedServers.count == 1
        let servers = Array(Set(report.guessedServers.map(\.server))).sorted()
        return "warning: \(count(report.guessedServers.count, "log")) name\(one ? "s" : "") no server and \(one ? "was" : "were") filed under "
            + servers.joined(separator: ", ") + " by a guess, beside other servers' logs ("
            + report.guessedServers.prefix(3).map(\.path).joined(separator: ", ") + (report.guessedServers.count > 3 ? ", …" : "")
            + "): the server most logs of \(one ? "its" : "their") folder name, or \(one ? "its" : "their") own server address where logs "
            + "of the same time answered on several; load such a file alone with --server NAME if it is another server's"
    }

    /// The warning for times read by a guess: a listing whose day/month order the dates do not tell, local times
    /// with no zone read as UTC. Findings and the report date events by them, so the guess is said where the
    /// load is, not only in `sources --problems` (reviewer: an LSASS dump was reported two months off, unsaid).
    static func guessedTimes(_ files: ArraySlice<EvidenceFile>) -> String? {
        func having(_ kind: String) -> [EvidenceFile] { files.filter { $0.problems.countsByKind.contains { $0.kind == kind } } }
        let order = having(ProblemLog.dateOrderKind), local = having(ProblemLog.localTimeAsUTCKind)
        var parts: [String] = []
        if let first = order.first {
            parts.append("the day/month order of \(count(order.count, "file")) is not told by \(order.count == 1 ? "its" : "their") dates (\(first.path)"
                         + (order.count > 1 ? ", …" : "") + "): read month/day; --date-order day-first if exported with a day-first culture")
        }
        if let first = local.first {
            parts.append("\(count(local.count, "file")) \(local.count == 1 ? "writes" : "write") local times with no zone (\(first.path)"
                         + (local.count > 1 ? ", …" : "") + "): read as UTC; --local-time ZONE gives the zone")
        }
        guard !parts.isEmpty else { return nil }
        return "warning: times are a guess: " + parts.joined(separator: "; ") + "; findings dated by them may be off ('sources --problems')"
    }

    /// The warning for logs filed under their folder's server although their lines name another computer.
    static func otherComputers(_ report: LoadReport) -> String? {
        guard let first = report.otherComputers.first else { return nil }
        let n = report.otherComputers.count
        let computers = Array(Set(report.otherComputers.map(\.computer))).sorted()
        return "warning: \(count(n, "log")) \(n == 1 ? "is" : "are") filed under the server \(n == 1 ? "its" : "their") folder names, although "
            + "\(n == 1 ? "its lines name another computer" : "their lines name other computers") ("
            + computers.prefix(4).joined(separator: ", ") + (computers.count > 4 ? ", …" : "") + "; e.g. \(first.path) under \(first.server)): "
            + "'sources --problems' lists them; load such a file alone with --server NAME if it is another machine's"
    }

    /// The note for logs that continue copies loaded before (the lines after a text log's copy, an event log's
    /// records not in it): the events both copies hold are counted once, in the earlier copy, where findings and
    /// marks already cite them.
    static func continued(_ report: LoadReport) -> String? {
        guard let first = report.continued.first else { return nil }
        let n = report.continued.count, shared = report.continued.reduce(0) { $0 + $1.events }
        // Two sets' copies at one path are cited with their sets' names, as `show` takes them (reviewer).
        let path = first.earlier.hasSuffix("/" + first.path) && !report.evidenceSet.isEmpty ? report.evidenceSet + "/" + first.path : first.path
        let which = n == 1 ? "\(path) continues \(first.earlier)"
            : "\(n) logs continue copies loaded before (\(report.continued.prefix(3).map(\.path).joined(separator: ", "))\(n > 3 ? ", …" : ""))"
        return "note: \(which), the same log collected again: the \(count(shared, "event")) both copies hold "
            + "\(shared == 1 ? "is" : "are") counted once, in the earlier copy; "
            + (report.continued.allSatisfy { $0.new == 0 } ? "\(n == 1 ? "it adds" : "they add") nothing new" : "the rest are new")
    }

    /// `1 file`, `2 files`.
    /// The load's one-line summary, as `load` and `load --quiet` print it (reviewer: the quiet form of a set loaded
    /// before read "loaded siteA: 0 files, 0 events from " with no server).
    static func summary(_ report: LoadReport) -> String {
        var msg: String
        if report.filesAdded == 0 && report.duplicatesSkipped > 0 {
            // Everything was loaded before: say that, not "0 files … from no server".
            msg = "nothing new in \(report.evidenceSet): \(count(report.duplicatesSkipped, "file")) already loaded, skipped"
        } else {
            msg = "loaded \(report.evidenceSet): \(count(report.filesAdded, "file")), \(count(report.eventsAdded, "event")), "
                + String(format: "%.1f MiB", Double(report.bytesRead) / 1_048_576) + " from "
                + (report.servers.isEmpty ? "no server" : report.servers.joined(separator: ", "))
            if report.duplicatesSkipped > 0 { msg += "; \(count(report.duplicatesSkipped, "file")) already loaded, skipped" }
        }
        if report.problems > 0 { msg += "; \(count(report.problems, "problem")) (sources --problems)" }
        return msg
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The warning for a load in which no file looked like evidence this tool knows (`load /etc/passwd`):
    /// still loaded (grep-ioc --raw and timeline reach it), but the responder should know, naming what was seen.
    static func nothingRecognised(_ report: LoadReport) -> String? {
        guard report.filesAdded > 0, report.recognisedFiles == 0 else { return nil }
        // Binary files are hashed only; text files are kept line by line: the warning says which happened to which.
        func files(_ kinds: [(key: String, value: Int)]) -> String {
            kinds.map { "\($0.value) \($0.key) file\($0.value == 1 ? "" : "s")" }.joined(separator: " and ")
        }
        let kinds = report.unrecognised.sorted { $0.key < $1.key }
        let text = kinds.filter { $0.key != "binary" }, binary = kinds.filter { $0.key == "binary" }
        let what = [text.isEmpty ? nil : "kept \(files(text)) line by line", binary.isEmpty ? nil : "hashed \(files(binary)) without parsing"]
        let examples = report.unrecognisedExamples.joined(separator: ", ")
        return "warning: nothing here looked like Exchange, IIS, event-log, listing or build evidence; "
            + what.compactMap { $0 }.joined(separator: ", ")
            + " (\(examples)\(report.filesAdded > report.unrecognisedExamples.count ? ", …" : ""))"
    }
}

/// The training evidence set shipped in `help/training`.
enum TrainingSet {
    static func locate(_ help: HelpLibrary) -> URL? {
        guard let root = help.root?.appendingPathComponent("training"),
              FileManager.default.fileExists(atPath: root.path) else { return nil }
        return root
    }
}

/// Sizes typed by users: a number of bytes with an optional K, M, G or T suffix (powers of 1024).
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        var digits = text.uppercased()
        if digits.hasSuffix("IB") { digits.removeLast(2) } else if digits.hasSuffix("B") { digits.removeLast() }
        var shift = 0
        if let unit = digits.last, let i = ["K", "M", "G", "T"].firstIndex(of: String(unit)) {
            shift = 10 * (i + 1)
            digits.removeLast()
        }
        guard let value = Double(digits), value >= 0, value.isFinite else { return nil }
        let bytes = value * Double(1 << shift)
        return bytes < 9e18 ? Int(bytes) : nil
    }
}

import ExchangeEvidence
import Foundation

/// The state of one investigation: loaded evidence, settings, variables, and state other commands keep.
public final class Session {
    public let store = EventStore()
    public internal(set) var loads: [LoadReport] = []
    /// The evidence sets loaded, each named once: a load interrupted and run again is one set in two loads
    /// (reviewer: `info` listed "big, big").
    public var evidenceSetNames: [String] {
        var seen = Set<String>()
        return loads.map(\.evidenceSet).filter { seen.insert($0).inserted }
    }
    /// The evidence sets whose last load Ctrl-C stopped, with their folder and the files read of them in all:
    /// part of each was never read, which `info` and the report say (reviewer: a report after an interrupted load
    /// said every file was read, and the servers never reached were in it nowhere).
    public var interruptedLoads: [(evidenceSet: String, root: String, files: Int)] {
        var last: [String: LoadReport] = [:], files: [String: Int] = [:]
        for l in loads {
            last[l.evidenceSet] = l
            files[l.evidenceSet, default: 0] += l.filesAdded
        }
        return evidenceSetNames.compactMap { last[$0] }.filter(\.cancelled).map { ($0.evidenceSet, $0.root, files[$0.evidenceSet] ?? 0) }
    }
    public var settings = Settings()
    /// Variables for `$NAME` in commands (`set VAR value`, `exhunt --set NAME=VALUE`).
    public var variables: [String: String] = [:]
    /// Where commands write; features may tap or capture it (`OutputRouter`) without replacing the sink.
    public var output: OutputSink { router }
    public let router: OutputRouter
    public let registry: CommandRegistry
    public let help: HelpLibrary
    /// Polled by long commands; the executable wires it to Ctrl-C.
    public var isCancelled: @Sendable () -> Bool = { false }
    /// Set by the executable on a terminal: draws load progress on stderr.
    public var loadProgress: (@Sendable (LoadProgress) -> Void)?
    /// Set by the executable on a terminal: draws the progress of other long commands (exports) on stderr.
    public var workProgress: (@Sendable (WorkProgress) -> Void)?
    /// Columns of the terminal results go to, or nil (a pipe, a file, a test): tables fit it. Asked for each
    /// time, as the window may be resized between commands.
    public var terminalWidth: () -> Int? = { nil }
    /// Set when a command reported a Ctrl-C itself, so the interactive shell does not say it twice.
    public var interruptNoticed = false
    /// Set by the executable in interactive use: asks the user a yes/no question (a `mark` that would lower
    /// labels). Nil in scripts, `-c` and pipes, where such commands need their `--force`.
    public var confirm: ((String) -> Bool)?
    /// Set by `quit`; the driver stops reading commands.
    public var quitRequested = false
    /// True while a script runs with `--keep-going` (exhunt's, or `source --keep-going`): a `source` inside it keeps
    /// going too (reviewer: `exhunt --keep-going -f` stopped inside a sourced file at its first failure).
    public internal(set) var keepingGoing = false
    /// The status `quit STATUS` or `exit STATUS` asked exhunt to end with.
    public var requestedExitStatus: Int32?
    /// Nesting depth of `source`, to stop runaway recursion (observers use it to tell typed lines from sourced ones).
    public internal(set) var sourceDepth = 0
    /// Given by a command whose typed form names numbers of this session only (`mark 3903`, `mark finding F6`):
    /// the form that names the same thing anywhere, which the case's history replays. Only for the command at
    /// the depth it was given at: a `source` line does not replay as the last command of its file.
    public var replayForm: String? { replay.flatMap { $0.depth == sourceDepth ? $0.text : nil } }
    var replay: (text: String, depth: Int)?
    func replays(as text: String) { replay = (text, sourceDepth) }
    /// Called after every command line the shell runs (typed, `-c`, scripts, sourced files), with the line as
    /// given and the error it failed with, or nil. One mechanism for recording, the case audit log and lessons.
    public var observers: [(String, Error?) -> Void] = []
    private var attachments: [ObjectIdentifier: AnyObject] = [:]

    public init(output: OutputSink, registry: CommandRegistry = .standard, help: HelpLibrary = HelpLibrary()) {
        self.router = OutputRouter(output)
        self.registry = registry
        self.help = help
        observers.append { [unowned self] line, error in CaseState.auditObserver(self, line, error) }
        observers.append { [unowned self] line, error in
            ProvenanceLedger.of(self).observe(line, error, depth: self.sourceDepth, at: Int64(Date().timeIntervalSince1970 * 1000))
        }
    }

    /// State a command family keeps for the session (IOC sets, findings cache, the case file), created on first use.
    /// Keeps `Session` closed to edits when a command needs state of its own.
    public func attachment<T: AnyObject>(_ type: T.Type, create: () -> T) -> T {
        if let existing = attachments[ObjectIdentifier(type)] as? T { return existing }
        let fresh = create()
        attachments[ObjectIdentifier(type)] = fresh
        return fresh
    }
}

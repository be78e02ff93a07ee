import ExchangeDetection
import ExchangeEvidence

/// What `--server NAME` means in every command that takes it (`hunt`, `sources`, `grep-ioc`, `check-build`,
/// `timeline` and the exports' `--filter`): one resolver, so a name one command accepts works in all of them.
/// A name stands for the loaded servers spelled the same ignoring case (`ex01` is `EX01`); failing that, for those
/// with the same host name (`ex01.contoso.local` is `EX01`, as build reports and logs may give the full name).
enum ServerOption {
    /// The loaded server names `names` stand for, in the store's own spelling. A name that matches no loaded
    /// server fails, naming the loaded ones; with nothing loaded there is nothing to match and nothing fails
    /// (the command says it has nothing to show).
    static func resolve(_ names: [String], in store: EventStore, command: String) throws -> Set<String> {
        let loaded = Set(store.files.map(\.server))
        var out = Set<String>()
        var unknown: [String] = []
        for name in names {
            var found = loaded.filter { $0.lowercased() == name.lowercased() }
            if found.isEmpty { found = loaded.filter { ExposureTimeline.serverKey($0) == ExposureTimeline.serverKey(name) } }
            if found.isEmpty { unknown.append(name) }
            out.formUnion(found)
        }
        if !unknown.isEmpty && !loaded.isEmpty {
            throw ShellError("\(command): no server \(unknown.map { "'\(TerminalText.escape($0))'" }.joined(separator: ", ")) is loaded "
                             + "(servers: \(TerminalText.escape(loaded.sorted().joined(separator: ", "))))")
        }
        return out
    }
}

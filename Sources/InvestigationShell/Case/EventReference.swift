import ExchangeDetection
import ExchangeEvidence

/// `FILE:LINE@TIME#DIGEST`: an event named so that the name means the same on any evidence, the form a replay of
/// the case's history marks by (`case history --as-script`). On evidence where a line was added or removed before
/// the marked one, `FILE:LINE` names another event: its time differs, or, as IIS logs whole seconds, its text
/// does. The digest is the first 8 hex digits of the SHA-256 of the event's line as stored (as `show` prints it),
/// so the replay refuses rather than marks the request now at that line (reviewer: a benign request of the same
/// second was marked malicious). `FILE:LINE` alone is a reference without checks.
struct EventReference {
    var citation: String
    var time: Int64?
    var digest: String?

    /// The parts of `word`, or nil when it is not `FILE:LINE` with optional `@TIME` and `#DIGEST`.
    init?(_ word: String) {
        var rest = Substring(word)
        if let hash = rest.lastIndex(of: "#"), rest.distance(from: hash, to: rest.endIndex) == 9,
           rest[rest.index(after: hash)...].allSatisfy(\.isHexDigit) {
            digest = rest[rest.index(after: hash)...].lowercased()
            rest = rest[..<hash]
        }
        if let at = rest.lastIndex(of: "@"), let t = Timestamp.parse(String(rest[rest.index(after: at)...])) {
            time = t
            rest = rest[..<at]
        }
        guard let colon = rest.lastIndex(of: ":"), Int(rest[rest.index(after: colon)...]) != nil else { return nil }
        citation = String(rest)
    }

    /// True when the reference carries the checks a replay needs.
    var isChecked: Bool { digest != nil }

    /// The reference of event `e`, checks included.
    static func word(_ e: EventID, in store: EventStore) -> String {
        let time = store.time[e]
        return store.citation(of: e) + (time == Timestamp.unknown ? "" : "@" + Timestamp.iso(time)) + "#" + digest(e, in: store)
    }

    static func digest(_ e: EventID, in store: EventStore) -> String {
        String(store.withRawLine(e) { SHA256.hex($0) }.prefix(8))
    }

    /// The event referred to: the one at its line when it passes the checks; else, for a reference with a digest,
    /// the one event of that file (or of its rotated `FILE.gz`) with the reference's time and digest, where lines
    /// added or removed before it moved it (reviewer: a replay refused a mark of six events over one moved line
    /// the digest names). Throws the check's or the lookup's error when neither holds. `moved`: found by time and
    /// digest at another line than cited (the file differs from the one cited), which a replay must say.
    func event(in store: EventStore, command: String, preferring set: String?) throws -> (event: EventID, moved: Bool) {
        let failure: Error
        do {
            if let e = try ShowCommand.event(at: citation, in: store, command: command, preferring: set) {
                try check(e, in: store, command: command)
                return (e, false)
            }
            failure = ShellError.noEvent("'\(TerminalText.escape(citation))'", command: command, count: store.count)
        } catch { failure = error }
        guard let digest, let colon = citation.lastIndex(of: ":") else { throw failure }
        let path = String(citation[..<colon])
        for name in [path, path + ".gz"] {
            guard let file = try? ShowCommand.file(name, in: store, command: command, preferring: set) else { continue }
            let found = store.events(ofFile: file).filter { (time == nil || store.time[$0] == time) && Self.digest($0, in: store) == digest }
            if found.count == 1 { return (found[0], true) }
        }
        throw failure
    }

    /// Refuses event `e` (found at `citation`) when it is not the event referred to.
    func check(_ e: EventID, in store: EventStore, command: String) throws {
        let name = TerminalText.escape(citation)
        if let time, store.time[e] != time {
            throw ShellError("\(command): \(name) is an event of \(Timestamp.iso(store.time[e])) in this evidence, not of \(Timestamp.iso(time)) "
                             + "as when it was marked: the file differs from the one marked (a line added or removed before it); "
                             + "find the event with 'timeline --around \(Timestamp.iso(time))'")
        }
        if let digest, Self.digest(e, in: store) != digest {
            throw ShellError("\(command): \(name) reads otherwise in this evidence than when it was marked (line digest "
                             + "\(Self.digest(e, in: store)), not \(digest)): the file differs from the one marked; a line of the same "
                             + "time added before it, or the line changed")
        }
    }
}

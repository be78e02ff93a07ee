import ExchangeEvidence
import Foundation

extension Session {
    /// The loaded evidence set whose root is `path` or holds it, if any: exhunt writes nothing there, since a
    /// file written into an evidence folder would be read back as evidence by the next `load` of it.
    func evidenceSet(holding path: String) -> LoadReport? {
        let target = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        return loads.first { load in
            let root = URL(fileURLWithPath: load.root).standardizedFileURL.path
            return target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        }
    }

    /// Throws when `path` is inside a loaded evidence set: every command that writes a file (exports, reports,
    /// case files, recordings, scripts) asks this first, so that nothing is ever added to the evidence.
    func refuseInsideEvidence(_ path: String, command: String) throws {
        guard let load = evidenceSet(holding: path) else { return }
        throw ShellError("\(command): \(TerminalText.escape(path)) is inside the evidence set '\(TerminalText.escape(load.evidenceSet))'; "
                         + "write it outside the evidence (a later load of the set would read it back)")
    }
}

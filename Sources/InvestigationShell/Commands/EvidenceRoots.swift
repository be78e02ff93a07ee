import ExchangeEvidence
import Foundation

extension Session {
    /// The loaded evidence set whose root is `path` or holds it, if any: exhunt writes nothing there, since a
    /// file written into an evidence folder would be read back as evidence by the next `load` of it.
    /// Paths are compared as written and with symbolic links resolved: a link to the evidence folder (or a link
    /// inside the output path that leads into it) is the evidence folder.
    func evidenceSet(holding path: String) -> LoadReport? {
        let written = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        let targets = Set([written, Self.resolvingLinks(written)])
        return loads.first { load in
            let root = URL(fileURLWithPath: load.root).standardizedFileURL.path
            return Set([root, Self.resolvingLinks(root)]).contains { root in
                targets.contains { $0 == root || $0.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
            }
        }
    }

    /// `path` with the symbolic links of its longest existing prefix resolved (`realpath`); the rest, not
    /// created yet, appended as written.
    static func resolvingLinks(_ path: String) -> String {
        var head = path
        var rest: [String] = []
        while !head.isEmpty && head != "/" {
            if let real = realpath(head, nil) {
                defer { free(real) }
                return ([String(cString: real)] + rest.reversed()).joined(separator: "/")
            }
            rest.append((head as NSString).lastPathComponent)
            head = (head as NSString).deletingLastPathComponent
        }
        return path
    }

    /// Throws when `path` is inside a loaded evidence set: every command that writes a file (exports, reports,
    /// case files, recordings, scripts) asks this first, so that nothing is ever added to the evidence.
    func refuseInsideEvidence(_ path: String, command: String) throws {
        guard let load = evidenceSet(holding: path) else { return }
        throw ShellError("\(command): \(TerminalText.escape(path)) is inside the evidence set '\(TerminalText.escape(load.evidenceSet))'; "
                         + "write it outside the evidence (a later load of the set would read it back)")
    }
}

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
}

import Foundation

/// A file found while walking an evidence set, not yet read.
struct PendingFile {
    /// Path relative to the evidence root, `/`-separated.
    var path: String
    /// Absolute path, or `ZIP!/member`.
    var location: String
    var size: Int
    var modified: Int64
    /// Maps or reads the bytes (for zip members: inflates them, bounded).
    var read: () throws -> LoadedBytes
    /// The file is the load's root itself (`load u_ex210303.log`): the set's name is the file's, no server's.
    var isRoot = false
    /// The path was prefixed with the server folder above the load's root (`ServerNaming.context`): a name from
    /// outside the set, so the file's own computer name, where its lines give one, comes first.
    var namedFromAbove = false
    /// What exhunt export this file is (`ExhuntFiles.exports(among:)`), or nil.
    var exhuntExport: String?
}

/// The bytes of a file as loaded, and the file's identity on disk when they are a mapping of it.
struct LoadedBytes {
    var bytes: EvidenceBytes
    var identity: FileIdentity?
}

/// A problem found while walking (a hostile zip member, a symlink), reported on the evidence set.
public struct DiscoveryProblem: Sendable {
    public var path: String
    public var message: String
    /// False for damage to an archive whose readable members were still loaded (a zip cut short): that
    /// archive was not skipped, and must not read as if it were.
    public var skipped = true
}

/// Errors that stop reading one file (the load goes on).
struct ReadFailure: Error, CustomStringConvertible {
    var description: String
}

/// A read that failed part-way: the bytes read so far are still evidence and are loaded.
struct PartialRead: Error {
    var loaded: LoadedBytes
    var message: String
}

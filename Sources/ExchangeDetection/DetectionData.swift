import ExchangeEvidence
import Foundation

/// Finds the detection library's data files (IOC sets, build catalog, remediation steps), which ship as
/// package resources (installed under `share/exhunt/Resources`) so that updating an indicator list never
/// means changing code. `ProgramFolders.resources` says where they are looked for.
public enum DetectionData {
    /// URL of a data file, e.g. `url("builds/catalog.json")`.
    public static func url(_ relativePath: String) -> URL? {
        ProgramFolders.resource(relativePath)
    }

    /// Contents of a data file; throws with the file's name when it is missing.
    public static func data(_ relativePath: String) throws -> Data {
        guard let url = url(relativePath) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: relativePath])
        }
        return try Data(contentsOf: url)
    }
}

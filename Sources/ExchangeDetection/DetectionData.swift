import Foundation

/// Finds the detection library's data files (IOC sets, build catalog, remediation steps), which ship as
/// package resources so that updating an indicator list never means changing code.
public enum DetectionData {
    /// URL of a data file, e.g. `url("builds/catalog.json")`.
    public static func url(_ relativePath: String) -> URL? {
        // Linux bundles report `<bundle>/Resources` as their resource URL, flat macOS bundles the bundle itself.
        let roots = [Bundle.module.bundleURL, Bundle.module.resourceURL].compactMap { $0 }
        return roots.map { $0.appendingPathComponent("Resources").appendingPathComponent(relativePath) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Contents of a data file; throws with the file's name when it is missing.
    public static func data(_ relativePath: String) throws -> Data {
        guard let url = url(relativePath) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: relativePath])
        }
        return try Data(contentsOf: url)
    }
}

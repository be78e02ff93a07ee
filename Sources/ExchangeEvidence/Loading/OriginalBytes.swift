import Foundation

/// Reads a loaded file's bytes again as they were collected, for scanners that need the file itself rather
/// than what a reader kept (a collected web page is stored as one rendered line with its decoded text).
///
/// The bytes are checked against the SHA-256 recorded at load: evidence changed or replaced since then is
/// refused, never scanned in its place. Zips are opened once per reader.
public final class OriginalBytes {
    private var zips: [String: ZipSource] = [:]

    public init() {}

    public func read(_ file: EvidenceFile) throws -> [UInt8] {
        let bytes: [UInt8]
        if let bang = file.location.range(of: "!/") {
            let archive = String(file.location[..<bang.lowerBound])
            let member = String(file.location[bang.upperBound...])
            let zip = try zips[archive] ?? ZipSource(path: archive, budget: InflateBudget(limit: nil))
            zips[archive] = zip
            guard let m = zip.members.first(where: { $0.path == member }) else {
                throw ReadFailure(description: "\(file.location): no longer in the zip")
            }
            bytes = try zip.read(m).bytes.withUnsafeBytes { Array($0) }
        } else {
            bytes = try FileBytes.read(file.location, copy: true).bytes.withUnsafeBytes { Array($0) }
        }
        guard SHA256.hex(bytes) == file.sha256 else {
            throw ReadFailure(description: "\(file.location) changed since it was loaded (SHA-256 differs); not scanned")
        }
        return bytes
    }
}

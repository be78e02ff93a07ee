import Foundation

/// A path libevtx can open for the bytes a reader was given.
///
/// libevtx opens files by path only (its in-memory route needs libbfio, which Debian does not ship for
/// development). When the bytes came from a plain file of the same size, that file is opened read-only;
/// otherwise (zip members) the bytes go to a private temporary file that is removed afterwards.
enum EvtxPath {
    static func with<R>(_ input: ReaderInput, _ body: (String) -> R) throws -> R {
        if let loc = input.location, loc.hasPrefix("/"), !loc.contains("!/"),
           let attrs = try? FileManager.default.attributesOfItem(atPath: loc),
           attrs[.type] as? FileAttributeType == .typeRegular,
           (attrs[.size] as? NSNumber)?.intValue == input.bytes.count {
            return body(loc)
        }
        let tmp = (NSTemporaryDirectory() as NSString).appendingPathComponent("exhunt-evtx-\(UUID().uuidString).evtx")
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw EvtxError(text: "cannot create a temporary copy in \(NSTemporaryDirectory())") }
        defer { unlink(tmp) }
        var done = 0
        while done < input.bytes.count {
            let n = write(fd, input.bytes.baseAddress! + done, input.bytes.count - done)
            if n <= 0 {
                close(fd)
                throw EvtxError(text: "cannot write a temporary copy in \(NSTemporaryDirectory())")
            }
            done += n
        }
        close(fd)
        return body(tmp)
    }
}

import Foundation
import ZIPFoundation

/// A zip of evidence, read in place. Members are inflated into memory on demand, one at a time
/// (ZIPFoundation's archive is not thread-safe), with bounds against hostile archives.
final class ZipSource: @unchecked Sendable {
    struct Member {
        var path: String
        var size: Int
        var modified: Int64
        var entry: Entry?
        /// Why the member is not loaded (escapes the root, too large), or nil.
        var rejection: String?
    }

    /// Largest member inflated (a bigger one is reported, not read).
    static let maxMemberSize = 8 << 30
    /// Members whose ratio of inflated to stored size exceeds this and that inflate to over 64 MiB are refused.
    static let maxRatio = 1000

    let archive: Archive
    private(set) var members: [Member] = []
    private let lock = NSLock()

    init(path: String) throws {
        archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        for entry in archive where entry.type == .file {
            let raw = entry.path
            let date = (entry.fileAttributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            var m = Member(path: raw, size: Int(entry.uncompressedSize), modified: Int64(date * 1000), entry: entry)
            m.path = raw.replacingOccurrences(of: "\\", with: "/")
            let parts = m.path.split(separator: "/", omittingEmptySubsequences: false)
            if m.path.hasPrefix("/") || parts.contains("..") || (parts.first?.count == 2 && parts.first?.last == ":") {
                m.rejection = "zip member path escapes the evidence root (\(raw)); not loaded"
            } else if m.size > Self.maxMemberSize {
                m.rejection = "zip member inflates to \(m.size) bytes, over the \(Self.maxMemberSize >> 30) GiB limit; not loaded"
            } else if entry.compressedSize > 0, m.size > 64 << 20, UInt64(m.size) / entry.compressedSize > UInt64(Self.maxRatio) {
                m.rejection = "zip member compression ratio \(UInt64(m.size) / entry.compressedSize):1 looks like a zip bomb; not loaded"
            } else if m.path.lowercased().hasSuffix(".zip") {
                m.rejection = "nested zip not opened; extract it and load it separately"
            }
            m.path = parts.filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
            members.append(m)
        }
    }

    func read(_ member: Member) throws -> [UInt8] {
        guard let entry = member.entry else { throw ReadFailure(description: "no such member") }
        lock.lock()
        defer { lock.unlock() }
        var out = [UInt8]()
        out.reserveCapacity(member.size)
        let limit = member.size
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 18, skipCRC32: false) { data in
                if out.count + data.count > limit { throw ReadFailure(description: "member inflates beyond its declared size (\(limit) bytes)") }
                out.append(contentsOf: data)
            }
        } catch let e as ReadFailure {
            throw e
        } catch {
            throw PartialRead(bytes: out, message: "zip member cannot be inflated past byte \(out.count) (\(error)); the readable part is loaded")
        }
        return out
    }
}

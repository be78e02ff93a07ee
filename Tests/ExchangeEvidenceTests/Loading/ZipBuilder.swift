import CLibz
import Foundation

/// Writes zip archives byte by byte, so tests can make the damaged and hostile ones real tools produce
/// (wrong CRC-32, cut streams, ZIP64 sizes near 2^64, encrypted or symlink members, broken directories).
struct ZipBuilder {
    struct Member {
        var name: String
        var data: [UInt8]
        var method: UInt16 = 8
        var flags: UInt16 = 0
        /// Overrides the CRC-32 written (a damaged member).
        var crc: UInt32?
        /// Overrides the inflated size declared; sizes over 32 bits are written as ZIP64.
        var declaredSize: UInt64?
        /// Keeps only this many compressed bytes (a stream cut short), declared as the compressed size.
        var keepCompressed: Int?
        /// Unix mode in the upper half of the external attributes (0o120777 for a symbolic link).
        var unixMode: UInt32 = 0o100644

        init(_ name: String, _ text: String) { self.name = name; data = Array(text.utf8) }
        init(_ name: String, bytes: [UInt8]) { self.name = name; data = bytes }
    }

    var members: [Member] = []
    /// Writes garbage over the signature of this central directory entry (0-based).
    var damageDirectoryEntry: Int?
    /// Leaves out the central directory and its end record (an archive cut short).
    var omitDirectory = false

    func build() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (i, m) in members.enumerated() {
            var stored = m.method == 8 ? Self.deflate(m.data) : m.data
            if let keep = m.keepCompressed { stored = Array(stored.prefix(keep)) }
            let crc = m.crc ?? Self.crc(m.data)
            let size = m.declaredSize ?? UInt64(m.data.count)
            let zip64 = size > 0xFFFF_FFFE
            let name = Array(m.name.utf8)
            let offset = out.count
            var extra: [UInt8] = []
            if zip64 { extra = le16(1) + le16(16) + le64(size) + le64(UInt64(stored.count)) }
            out += le32(0x0403_4B50) + le16(zip64 ? 45 : 20) + le16(m.flags) + le16(m.method) + le16(0x6000) + le16(0x5263)
            out += le32(crc) + le32(zip64 ? 0xFFFF_FFFF : UInt32(stored.count)) + le32(zip64 ? 0xFFFF_FFFF : UInt32(size))
            out += le16(UInt16(name.count)) + le16(UInt16(extra.count)) + name + extra + stored
            var entry = le32(damageDirectoryEntry == i ? 0x4242_4242 : 0x0201_4B50) + le16(0x031E) + le16(zip64 ? 45 : 20)
            entry += le16(m.flags) + le16(m.method) + le16(0x6000) + le16(0x5263) + le32(crc)
            entry += le32(zip64 ? 0xFFFF_FFFF : UInt32(stored.count)) + le32(zip64 ? 0xFFFF_FFFF : UInt32(size))
            entry += le16(UInt16(name.count)) + le16(UInt16(extra.count)) + le16(0) + le16(0) + le16(0)
            entry += le32(m.unixMode << 16) + le32(UInt32(offset)) + name + extra
            central += entry
        }
        if omitDirectory { return out }
        let cdOffset = out.count
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
        out += le32(UInt32(central.count)) + le32(UInt32(cdOffset)) + le16(0)
        return out
    }

    func write(to url: URL) { _ = FileManager.default.createFile(atPath: url.path, contents: Data(build())) }

    /// Raw deflate (zlib's stream without its 2-byte header and Adler-32 trailer).
    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        _ = out.withUnsafeMutableBufferPointer { o in data.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(data.count), 6) } }
        return Array(out[2..<(Int(size) - 4)])
    }

    static func crc(_ data: [UInt8]) -> UInt32 {
        UInt32(truncatingIfNeeded: data.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
    }
}

private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
private func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }

/// Fixed facts of the `.evtx` layout: a 4 KiB file header, then 64 KiB chunks (each with a 512-byte header
/// holding string and template hash tables, then records). A record's chunk follows from its offset.
enum EvtxLayout {
    static let headerSize = 4096
    static let chunkSize = 65536

    static func chunkOffset(_ k: Int) -> Int { headerSize + k * chunkSize }

    /// Chunk slots present in a file of `size` bytes (a last, partial slot counts).
    static func chunkSlots(_ size: Int) -> Int { size <= headerSize ? 0 : (size - headerSize + chunkSize - 1) / chunkSize }

    static func has(_ p: UnsafeRawPointer, _ s: StaticString) -> Bool {
        memcmp(p, s.utf8Start, s.utf8CodeUnitCount) == 0
    }

    /// The file header fields the reader checks.
    struct FileHeader {
        var valid = false
        var majorVersion = 0, minorVersion = 0
        var headerBlockSize = 0
        var chunkCount = 0
        var flags: UInt32 = 0
        var crcOK = true

        var dirty: Bool { flags & 0x1 != 0 }
        var noCRC: Bool { flags & 0x4 != 0 }

        init(_ file: UnsafeRawBufferPointer) {
            guard file.count >= 128, let p = file.baseAddress, has(p, "ElfFile\0") else { return }
            valid = true
            minorVersion = Int(file.loadUnaligned(fromByteOffset: 36, as: UInt16.self))
            majorVersion = Int(file.loadUnaligned(fromByteOffset: 38, as: UInt16.self))
            headerBlockSize = Int(file.loadUnaligned(fromByteOffset: 40, as: UInt16.self))
            chunkCount = Int(file.loadUnaligned(fromByteOffset: 42, as: UInt16.self))
            flags = file.loadUnaligned(fromByteOffset: 120, as: UInt32.self)
            if !noCRC { crcOK = CRC32.update(0, p, 120) == file.loadUnaligned(fromByteOffset: 124, as: UInt32.self) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an export's bytes in large aligned blocks that go straight to the disk (`O_DIRECT`), past the page
/// cache. An export of a few million events is a gigabyte written once and not read back by exhunt; through the
/// page cache, the kernel copying it into freshly allocated cache pages cost as much CPU as rendering the rows
/// (1.5–3.2 s of system time for the 1.25 GB timeline of the bench set, against 0.25 s written directly).
///
/// Bytes are gathered in an aligned buffer of `blockSize` and written when it is full; the last block is padded
/// to the alignment and the file cut back to its exact size (`ftruncate`). Where the file system refuses direct
/// I/O (`EINVAL` when opening or writing: older tmpfs, some network and FUSE file systems), or a direct write
/// comes back short, the rest is written through the page cache as before: same bytes, only slower.
final class ExportFileWriter {
    /// Bytes per write: large enough that the disk, not the system call, sets the pace.
    static let blockSize = 8 << 20
    /// Direct I/O needs buffer address, length and file offset aligned to the device's block; 4 KiB covers the
    /// devices in use (512-byte and 4 KiB sectors).
    static let alignment = 4096

    private let fd: Int32
    /// True while writes bypass the page cache.
    private(set) var direct: Bool
    private let buffer: UnsafeMutableRawPointer
    private var filled = 0
    /// Bytes handed to `write`: the size of the finished file.
    private(set) var count = 0
    private var closed = false

    /// Creates the file at `path`, replacing whatever entry had the name (a leftover, or a symbolic link someone
    /// planted in a shared output folder: the link is removed, never written through, so no file it points to
    /// — loaded evidence included — is overwritten). `direct: false` writes through the page cache from the start.
    init(path: String, direct wantsDirect: Bool = true) throws {
        unlink(path)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd: Int32 = -1
        #if os(Linux)
        if wantsDirect {
            fd = Self.retrying { open(path, flags | O_DIRECT, 0o644) }
            // A file system without O_DIRECT may have created the file before refusing the flag.
            if fd < 0 && errno == EINVAL { unlink(path) }
        }
        #endif
        direct = fd >= 0
        if fd < 0 { fd = Self.retrying { open(path, flags, 0o644) } }
        guard fd >= 0 else { throw WriteFailure(errno) }
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, Self.alignment, Self.blockSize) == 0, let memory else {
            close(fd)
            throw WriteFailure(ENOMEM)
        }
        self.fd = fd
        buffer = memory
    }

    deinit {
        if !closed { close(fd) }
        free(buffer)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var from = bytes.baseAddress else { return }
        var left = bytes.count
        count += left
        while left > 0 {
            let n = min(left, Self.blockSize - filled)
            (buffer + filled).copyMemory(from: from, byteCount: n)
            filled += n
            from += n
            left -= n
            if filled == Self.blockSize {
                try put(Self.blockSize)
                filled = 0
            }
        }
    }

    /// Writes what is left, cuts the padding of the last direct block and closes the file.
    func finish() throws {
        if filled > 0 {
            let n = direct ? (filled + Self.alignment - 1) / Self.alignment * Self.alignment : filled
            (buffer + filled).initializeMemory(as: UInt8.self, repeating: 0, count: n - filled)
            try put(n)
            if n > filled {
                guard Self.retrying({ ftruncate(fd, off_t(count)) }) == 0 else { throw WriteFailure(errno) }
            }
            filled = 0
        }
        closed = true
        guard close(fd) == 0 else { throw WriteFailure(errno) }
    }

    /// Closes the file without writing what is left (the export failed or was stopped).
    func discard() {
        guard !closed else { return }
        closed = true
        close(fd)
    }

    /// Writes the first `n` bytes of the buffer, all of them: a direct write refused or cut short leaves direct
    /// I/O for the rest of the file.
    private func put(_ n: Int) throws {
        var done = 0
        while done < n {
            let wrote = systemWrite(fd, buffer + done, n - done)
            if wrote < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && direct { try leaveDirect(); continue }
                throw WriteFailure(errno)
            }
            done += wrote
            if done < n && direct { try leaveDirect() }
        }
    }

    /// Writes the rest of the file through the page cache: a direct write was refused or cut short.
    func leaveDirect() throws {
        #if os(Linux)
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_DIRECT) == 0 else { throw WriteFailure(errno) }
        #endif
        direct = false
    }

    private static func retrying(_ call: () -> Int32) -> Int32 {
        while true {
            let r = call()
            if r >= 0 || errno != EINTR { return r }
        }
    }

    /// A failed system call, described as the system describes its error.
    struct WriteFailure: LocalizedError {
        let code: Int32
        init(_ code: Int32) { self.code = code }
        var errorDescription: String? { String(cString: strerror(code)) }
    }
}

#if os(Linux)
/// `O_DIRECT`, which Glibc's Swift module leaves out (it is a `_GNU_SOURCE` flag); its value differs by architecture.
#if arch(arm64) || arch(arm)
private let O_DIRECT: Int32 = 0o200000
#else
private let O_DIRECT: Int32 = 0o40000
#endif
#endif

/// `write(2)`, named apart from `ExportFileWriter.write`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

import CEvtx

/// A libevtx failure, with the library's innermost message.
struct EvtxError: Error {
    let text: String
}

/// One open `.evtx` file in libevtx.
///
/// Deliberately not `Sendable`: a libevtx file handle is not thread-safe (two threads on one handle crash),
/// so each reader call opens its own handle, reads on one thread and closes it.
final class EvtxFile {
    private typealias FileHandle = UnsafeMutablePointer<libevtx_file_t>
    private var handle: FileHandle?

    /// Opens `path` read-only; throws with libevtx's message for a missing or non-EVTX file.
    init(path: String) throws {
        var err: UnsafeMutablePointer<libevtx_error_t>?
        var f: FileHandle?
        guard libevtx_file_initialize(&f, &err) == 1, let f else { throw Self.take(&err, "initialize") }
        guard libevtx_file_open(f, path, libevtx_get_access_flags_read(), &err) == 1 else {
            let e = Self.take(&err, "open")
            var ff: FileHandle? = f
            libevtx_file_free(&ff, nil)
            throw e
        }
        handle = f
    }

    deinit {
        guard handle != nil else { return }
        libevtx_file_close(handle, nil)
        libevtx_file_free(&handle, nil)
    }

    /// File header flags: 0x1 dirty (not closed cleanly), 0x2 full, 0x4 no CRC32.
    var flags: UInt32 {
        var v: UInt32 = 0
        return libevtx_file_get_flags(handle, &v, nil) == 1 ? v : 0
    }

    var formatVersion: String {
        var major: UInt16 = 0, minor: UInt16 = 0
        return libevtx_file_get_format_version(handle, &major, &minor, nil) == 1 ? "\(major).\(minor)" : ""
    }

    var recordCount: Int {
        var n: Int32 = 0
        return libevtx_file_get_number_of_records(handle, &n, nil) == 1 ? Int(n) : 0
    }

    /// Records found in slack space (left over from earlier contents of the chunks).
    var recoveredCount: Int {
        var n: Int32 = 0
        return libevtx_file_get_number_of_recovered_records(handle, &n, nil) == 1 ? Int(n) : 0
    }

    /// Gives `body` record `index` and frees it afterwards.
    ///
    /// The record borrows from the file's 64-entry record cache and goes stale after more reads, so it must
    /// not escape `body`: copy out what is needed. Slack-space (`recovered`) failures are expected and
    /// frequent, so they carry no libevtx message (building it cost ~10 % of a load).
    func withRecord<R>(_ index: Int, recovered: Bool, _ body: (EvtxRecord) throws -> R) throws -> R {
        var err: UnsafeMutablePointer<libevtx_error_t>?
        var rec: UnsafeMutablePointer<libevtx_record_t>?
        if recovered {
            guard libevtx_file_get_recovered_record_by_index(handle, Int32(index), &rec, nil) == 1, rec != nil else {
                throw EvtxError(text: "unreadable slack-space record")
            }
        } else {
            guard libevtx_file_get_record_by_index(handle, Int32(index), &rec, &err) == 1, rec != nil else {
                throw Self.take(&err, "record")
            }
        }
        guard let r = rec else { throw EvtxError(text: "record") }
        defer { libevtx_record_free(&rec, nil) }
        return try body(EvtxRecord(r))
    }

    /// Turns an error into its innermost message and frees it.
    static func take(_ err: inout UnsafeMutablePointer<libevtx_error_t>?, _ call: String) -> EvtxError {
        guard let e = err else { return EvtxError(text: "\(call) failed") }
        var buf = [CChar](repeating: 0, count: 2048)
        _ = buf.withUnsafeMutableBufferPointer { libevtx_error_backtrace_sprint(e, $0.baseAddress, $0.count) }
        libevtx_error_free(&err)
        let all = buf.withUnsafeBufferPointer { p in
            String(decoding: UnsafeRawBufferPointer(p).prefix { $0 != 0 }, as: UTF8.self)
        }
        let first = all.split(separator: "\n").first.map(String.init) ?? ""
        return EvtxError(text: first.isEmpty ? "\(call) failed" : first)
    }
}

/// A borrowed libevtx record, valid only inside `EvtxFile.withRecord`.
struct EvtxRecord {
    fileprivate typealias Handle = UnsafeMutablePointer<libevtx_record_t>
    private let r: Handle
    fileprivate init(_ r: Handle) { self.r = r }

    /// The record number in the chunk header (not the XML `EventRecordID` of filtered exports).
    var identifier: UInt64 {
        var v: UInt64 = 0
        return libevtx_record_get_identifier(r, &v, nil) == 1 ? v : 0
    }

    /// The header's written time in ms UTC; `Timestamp.unknown` when 0. Exported logs shift it by one record.
    var writtenTime: Int64 {
        var ft: UInt64 = 0
        guard libevtx_record_get_written_time(r, &ft, nil) == 1, ft != 0 else { return Timestamp.unknown }
        return Int64(ft / 10_000) - 11_644_473_600_000
    }

    /// The event data values by position, exactly as stored (unescaped; a trailing `<Binary>` comes last).
    func strings() -> [String]? {
        var n: Int32 = 0
        guard libevtx_record_get_number_of_strings(r, &n, nil) == 1 else { return nil }
        var out: [String] = []
        out.reserveCapacity(Int(n))
        for k in 0..<n {
            var size = 0
            var err: UnsafeMutablePointer<libevtx_error_t>?
            switch libevtx_record_get_utf8_string_size(r, k, &size, &err) {
            case 1: break
            case 0: out.append(""); continue
            default: libevtx_error_free(&err); return nil
            }
            if size <= 1 { out.append(""); continue }
            var ok = true
            let s = String(unsafeUninitializedCapacity: size) { b in
                guard libevtx_record_get_utf8_string(r, k, b.baseAddress, size, &err) == 1 else { ok = false; return 0 }
                return b.firstIndex(of: 0) ?? size
            }
            if !ok { libevtx_error_free(&err); return nil }
            out.append(s)
        }
        return out
    }

    /// Renders the record's XML (UTF-8) into `buffer`, growing it when needed; returns its length.
    func xml(into buffer: inout [UInt8]) throws -> Int {
        var err: UnsafeMutablePointer<libevtx_error_t>?
        let count = buffer.count
        let one = buffer.withUnsafeMutableBufferPointer { libevtx_record_get_utf8_xml_string(r, $0.baseAddress, count, &err) }
        if one == 1 { return buffer.withUnsafeBufferPointer { $0.firstIndex(of: 0) ?? count } }
        libevtx_error_free(&err)
        var size = 0
        guard libevtx_record_get_utf8_xml_string_size(r, &size, &err) == 1 else { throw EvtxFile.take(&err, "xml size") }
        if size > buffer.count { buffer = [UInt8](repeating: 0, count: size) }
        let rc = buffer.withUnsafeMutableBufferPointer { libevtx_record_get_utf8_xml_string(r, $0.baseAddress, size, &err) }
        guard rc == 1 else { throw EvtxFile.take(&err, "xml") }
        return buffer.withUnsafeBufferPointer { $0.firstIndex(of: 0) ?? size }
    }
}

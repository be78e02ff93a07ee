import CLibz

/// gzip-compressed evidence (`Security.jsonl.gz`, rotated logs) is read in place: inflated in memory, never
/// written out. The file's recorded SHA-256 and size stay those of the compressed file as stored.
enum Gzip {
    /// Largest inflated size accepted (a bigger member is reported and read up to the limit).
    static let maxInflated = 8 << 30
    /// Inflated-to-compressed ratio above which data over 64 MiB is refused as a likely bomb.
    static let maxRatio = 1000

    static func isGzip(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.count >= 18 && raw[0] == 0x1F && raw[1] == 0x8B && raw[2] == 0x08
    }

    /// The inflated bytes (every concatenated member), and a note when the data is cut off or corrupt
    /// (what inflated before the damage is returned). Output is taken from the load's `budget`, which zips share:
    /// each file's own limits (8 GiB, 1000:1) still let a few megabytes of `.gz` fill the memory, three files at a time.
    static func inflate(_ input: UnsafeRawBufferPointer, budget: InflateBudget? = nil) -> (bytes: [UInt8], problem: String?) {
        budget?.admit(archive: input.count)
        let raw = input
        var out: [UInt8] = []
        out.reserveCapacity(min(raw.count * 4, 1 << 30))
        var stream = z_stream()
        // 15 + 32: zlib or gzip header, detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return ([], "gzip: zlib cannot be initialised")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var problem: String?
        // One pass over the input; each `return` ends it with what inflated so far.
        let pass = { () -> Void in
            var consumed = 0
            while consumed < input.count {
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed)
                stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                var status: Int32 = Z_OK
                repeat {
                    let produced = chunk.withUnsafeMutableBytes { buf -> Int in
                        stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = UInt32(buf.count)
                        status = CLibz.inflate(&stream, Z_NO_FLUSH)
                        return buf.count - Int(stream.avail_out)
                    }
                    if let budget, !budget.take(UInt64(produced)) {
                        problem = "gzip: inflates beyond \(budget.describe); the first \(out.count) bytes are loaded"
                        return
                    }
                    out.append(contentsOf: chunk[0..<produced])
                    if out.count > maxInflated || (out.count > 64 << 20 && out.count / max(1, raw.count) > maxRatio) {
                        problem = "gzip: inflates to over \(out.count) bytes (limit or bomb ratio reached); the first part is loaded"
                        return
                    }
                } while status == Z_OK && stream.avail_out == 0
                let used = Int(stream.next_in - UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self)))
                consumed = used
                if status == Z_STREAM_END {
                    // Another member may follow (concatenated gzip files); trailing zero padding ends it.
                    if consumed < input.count, input[consumed] == 0x1F { inflateReset(&stream); continue }
                    return
                }
                if status != Z_OK {
                    problem = "gzip: data corrupt after \(consumed) of \(raw.count) compressed bytes (\(status)); what inflated is loaded"
                    return
                }
                if stream.avail_in == 0 && consumed >= input.count {
                    problem = "gzip: file cut off (no end of stream after \(raw.count) bytes); what inflated is loaded"
                    return
                }
            }
        }
        pass()
        return (out, problem)
    }
}

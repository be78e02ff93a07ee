/// One file read from memory exactly as `load` reads a file from disk (decoding, the reader chosen by content,
/// the byte accounting), into a store: for the fuzz targets, which must exercise the real path.
extension EvidenceLoader {
    @discardableResult
    public static func load(bytes: [UInt8], path: String, readers: [any EvidenceReader] = ReaderRegistry.standard,
                            into store: EventStore) -> EvidenceFile {
        // "memory!/" marks the bytes as not coming from a plain file.
        let pending = PendingFile(path: path, location: "memory!/" + path, size: bytes.count, modified: 0, read: { LoadedBytes(bytes: EvidenceBytes(bytes)) })
        let merger = OrderedMerger(store: store, count: 1)
        let results = UnsafeMutableBufferPointer<ParsedFile?>.allocate(capacity: 1)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        merger.finished(0, parse(pending, readers: readers), results: results)
        // A store that already holds these bytes under this path skips them, like a second `load`.
        guard let file = merger.added.last?.file else { return store.files.last { $0.path == path }! }
        file.server = "fuzz"
        return file
    }
}

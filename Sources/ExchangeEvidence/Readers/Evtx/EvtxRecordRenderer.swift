import Foundation

/// Renders EVTX events on demand from their records in the file's bytes: an event stores only its record's
/// offset and size (its chunk follows from the offset), and its `keyValue` line is made when `show`, `--json`,
/// exports or rules read it — exactly the line a full read would have written, `Recovered=true` included for
/// record numbers past the file's normal records.
///
/// Single records reuse a few recently used chunk decoders (their compiled templates and names), so reading
/// the events of one chunk one by one compiles its templates once. Bulk renders give each chunk its own decoder
/// and spread the chunks over the cores.
final class EvtxRecordRenderer: EventRenderer, @unchecked Sendable {
    /// Record numbers 1…normalRecords are the chunks' own records; later ones were recovered from slack.
    let normalRecords: Int
    private let lock = NSLock()
    private var spare: [EvtxChunk] = []
    private static let keep = 4

    init(normalRecords: Int) { self.normalRecords = normalRecords }

    deinit { for c in spare { c.free() } }

    func render(_ file: UnsafeRawBufferPointer, offset: Int, length: Int, line: Int, into out: inout [UInt8]) {
        guard let k = Self.chunk(of: offset, in: file) else { out = Self.unreadable(offset); return }
        var c = decoder(file, chunk: k)
        if let r = c.renderRecord(at: offset - c.fileOffset, size: length, recovered: line > normalRecords) {
            out = Array(r)
        } else {
            out = Self.unreadable(offset)
        }
        giveBack(c)
    }

    func renderAll(_ file: UnsafeRawBufferPointer, offsets: ArraySlice<Int>, lengths: ArraySlice<UInt32>,
                   lines: ArraySlice<UInt32>) -> RenderedText {
        let offs = Array(offsets), lens = Array(lengths), nums = Array(lines)
        // Runs of events in one chunk, each rendered with that chunk's own decoder.
        var runs: [Range<Int>] = []
        var i = 0
        while i < offs.count {
            let k = Self.chunk(of: offs[i], in: file)
            var j = i + 1
            while j < offs.count && Self.chunk(of: offs[j], in: file) == k { j += 1 }
            runs.append(i..<j)
            i = j
        }
        var parts = [[UInt8]](repeating: [], count: runs.count)
        var lineLengths = [UInt32](repeating: 0, count: offs.count)
        let normal = normalRecords
        let next = NSLock()
        var cursor = 0
        let workers = min(runs.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        parts.withUnsafeMutableBufferPointer { partsOut in
            lineLengths.withUnsafeMutableBufferPointer { lengthsOut in
                let p = partsOut, l = lengthsOut
                DispatchQueue.concurrentPerform(iterations: max(workers, 1)) { _ in
                    while true {
                        next.lock()
                        let r = cursor
                        cursor += 1
                        next.unlock()
                        guard r < runs.count else { return }
                        let run = runs[r]
                        var text: [UInt8] = []
                        var c: EvtxChunk?
                        if let k = Self.chunk(of: offs[run.lowerBound], in: file) {
                            c = EvtxChunk(index: k, file: file, checkCRC: false, render: true)
                            c!.prepare()
                        }
                        for e in run {
                            let before = text.count
                            if c != nil, let line = c!.renderRecord(at: offs[e] - c!.fileOffset, size: Int(lens[e]),
                                                                    recovered: Int(nums[e]) > normal) {
                                text.append(contentsOf: line)
                            } else {
                                text.append(contentsOf: Self.unreadable(offs[e]))
                            }
                            l[e] = UInt32(text.count - before)
                            text.append(0x0A)
                        }
                        c?.free()
                        p[r] = text
                    }
                }
            }
        }
        var all: [UInt8] = []
        all.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        var starts = [Int]()
        starts.reserveCapacity(offs.count)
        for (r, run) in runs.enumerated() {
            var at = all.count
            for e in run {
                starts.append(at)
                at += Int(lineLengths[e]) + 1
            }
            all.append(contentsOf: parts[r])
            parts[r] = []
        }
        return RenderedText(bytes: all, offsets: starts, lengths: lineLengths)
    }

    /// The chunk slot holding byte `offset` of the file, when it is past the file header and inside the file.
    private static func chunk(of offset: Int, in file: UnsafeRawBufferPointer) -> Int? {
        guard offset >= EvtxLayout.headerSize, offset < file.count else { return nil }
        return (offset - EvtxLayout.headerSize) / EvtxLayout.chunkSize
    }

    /// The line of a record that no longer parses: only when the file changed on disk after it was loaded.
    private static func unreadable(_ offset: Int) -> [UInt8] {
        Array("Unreadable=the record at file offset \(offset) no longer parses (file changed since it was loaded?)".utf8)
    }

    private func decoder(_ file: UnsafeRawBufferPointer, chunk k: Int) -> EvtxChunk {
        lock.lock()
        let at = file.baseAddress! + EvtxLayout.chunkOffset(k)
        if let i = spare.lastIndex(where: { $0.chunk == at }) {
            let c = spare.remove(at: i)
            lock.unlock()
            return c
        }
        lock.unlock()
        var c = EvtxChunk(index: k, file: file, checkCRC: false, render: true)
        c.prepare()
        return c
    }

    private func giveBack(_ c: EvtxChunk) {
        lock.lock()
        spare.append(c)
        let dropped = spare.count > Self.keep ? spare.removeFirst() : nil
        lock.unlock()
        dropped?.free()
    }
}

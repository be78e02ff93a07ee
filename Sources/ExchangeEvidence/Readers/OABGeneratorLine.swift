/// The OAB generator log's line for CVE-2021-26858: `Download failed and temporary file '<path>' needs to be
/// removed`, where `<path>` is where the exploit wrote its file (`\\127.0.0.1\c$\inetpub\…\discover.aspx`).
public enum OABGeneratorLine {
    static let before = Array("download failed and temporary file ".utf8)
    static let after = Array(" needs to be removed".utf8)

    /// The path between `temporary file ` and ` needs to be removed`, without its quotes (case aside).
    public static func downloadPath(in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let a = find(before, in: line, from: 0), let b = find(after, in: line, from: a) else { return nil }
        var path = UnsafeRawBufferPointer(rebasing: line[a..<(b - after.count)])
        while let q = path.first, q == 0x27 || q == 0x22 { path = UnsafeRawBufferPointer(rebasing: path.dropFirst()) }
        while let q = path.last, q == 0x27 || q == 0x22 { path = UnsafeRawBufferPointer(rebasing: path.dropLast()) }
        return path.isEmpty ? nil : path
    }

    /// The offset just past the first `needle` (lower case) in `line` at or after `from`, ASCII case aside.
    private static func find(_ needle: [UInt8], in line: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard line.count - from >= needle.count else { return nil }
        for i in from...(line.count - needle.count) where line[i] | 0x20 == needle[0] {
            if (1..<needle.count).allSatisfy({ k in
                let c = line[i + k]
                return (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) == needle[k]
            }) { return i + needle.count }
        }
        return nil
    }

    public static func downloadPath(in line: String) -> String? {
        var s = line
        return s.withUTF8 { downloadPath(in: UnsafeRawBufferPointer($0)).map { String(decoding: $0, as: UTF8.self) } }
    }
}

/// The OAB generator log's line for CVE-2021-26858: `Download failed and temporary file '<path>' needs to be
/// removed`, where `<path>` is where the exploit wrote its file (`\\127.0.0.1\c$\inetpub\…\discover.aspx`).
public enum OABGeneratorLine {
    static let before = "download failed and temporary file ".lowerBytes
    static let after = " needs to be removed".lowerBytes

    /// The path between `temporary file ` and ` needs to be removed`, without its quotes (case aside).
    public static func downloadPath(in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let a = ByteMatch.find(before, in: line).map({ $0 + before.count }), let b = ByteMatch.find(after, in: line, from: a)
        else { return nil }
        var path = UnsafeRawBufferPointer(rebasing: line[a..<b])
        while let q = path.first, q == 0x27 || q == 0x22 { path = UnsafeRawBufferPointer(rebasing: path.dropFirst()) }
        while let q = path.last, q == 0x27 || q == 0x22 { path = UnsafeRawBufferPointer(rebasing: path.dropLast()) }
        return path.isEmpty ? nil : path
    }

    public static func downloadPath(in line: String) -> String? {
        var s = line
        return s.withUTF8 { downloadPath(in: UnsafeRawBufferPointer($0)).map { String(decoding: $0, as: UTF8.self) } }
    }
}

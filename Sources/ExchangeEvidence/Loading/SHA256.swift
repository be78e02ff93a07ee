import CCrypto

/// SHA-256 through OpenSSL, which uses the CPU's SHA extensions (several times faster than portable code).
public enum SHA256 {
    /// Lower-case hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { d in
            EVP_Digest(bytes.baseAddress, bytes.count, d.baseAddress, &size, EVP_sha256(), nil)
        }
        let hexDigits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hex($0) } }
}

import CCrypto

/// SHA-256 through OpenSSL, which uses the CPU's SHA extensions (several times faster than portable code).
public enum SHA256 {
    /// The algorithm fetched once: given `EVP_sha256()`, OpenSSL 3 looks it up in its providers on every call
    /// (half a microsecond, for each of tens of thousands of small logs).
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// Lower-case hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &digest) { d in
            var size: UInt32 = 0
            EVP_Digest(bytes.baseAddress, bytes.count, d.baseAddress?.assumingMemoryBound(to: UInt8.self), &size,
                       algorithm ?? EVP_sha256(), nil)
            return String(unsafeUninitializedCapacity: 64) { out in
                let digits: StaticString = "0123456789abcdef"
                digits.withUTF8Buffer { hex in
                    for (i, b) in d.enumerated() {
                        out[2 * i] = hex[Int(b >> 4)]
                        out[2 * i + 1] = hex[Int(b & 15)]
                    }
                }
                return 64
            }
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hex($0) } }
}

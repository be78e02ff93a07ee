/// exhunt's own provenance files, which its exports write beside what they export: `exhunt-provenance.json`
/// in an `export proxylogon` folder, `FILE.provenance.json` beside an exported file. Loading an export back
/// (to compare, or to read Test-ProxyLogon's files) must not turn them into evidence: they describe the tool
/// and the session that exported, not anything a server logged. They are known by name and by their first
/// key, `"exhunt"`, so a file of the evidence that only shares the name is still loaded.
public enum ProvenanceFiles {
    /// The name `export proxylogon` gives its provenance file.
    public static let folderFile = "exhunt-provenance.json"
    /// What `export timeline|events|findings FILE` appends to FILE for its provenance file.
    public static let suffix = ".provenance.json"

    /// Whether `file` is a provenance file exhunt wrote.
    static func isOurs(_ file: PendingFile) -> Bool {
        let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
        guard name == folderFile || name.hasSuffix(suffix), let loaded = try? file.read() else { return false }
        return loaded.bytes.withUnsafeBytes { startsWithExhuntKey($0.prefix(64)) }
    }

    /// True for `{` then `"exhunt"`, whitespace allowed around them: the start of `Provenance`'s JSON.
    static func startsWithExhuntKey<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        let text = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return text.starts(with: Array("{\"exhunt\":".utf8))
    }
}

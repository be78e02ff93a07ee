import Foundation

/// Files exhunt itself writes, which a folder being loaded may hold and which are not evidence: they describe
/// the investigation, not anything a server logged. A load names them and leaves them out.
///
/// - provenance files its exports write beside what they export (`exhunt-provenance.json` in an `export
///   proxylogon` folder, `FILE.provenance.json`), known by name and by their first key, `"exhunt"`;
/// - case files (SQLite with the application id "EXHC" in the header) and their `-wal`/`-shm`/`-journal`
///   sidecars, whatever their name;
/// - command files `record` writes, known by their first line;
/// - exports met in a folder or zip (`exports(among:)`).
///
/// A file of the evidence that only shares a name is still loaded.
public enum ExhuntFiles {
    /// The name `export proxylogon` gives its provenance file.
    public static let folderFile = "exhunt-provenance.json"
    /// What `export timeline|events|findings FILE` appends to FILE for its provenance file.
    public static let suffix = ".provenance.json"
    /// `PRAGMA application_id` of case files ("EXHC"), stored big-endian at offset 68 of an SQLite file.
    public static let caseApplicationID: Int32 = 0x4558_4843
    /// The first line of a command file `record` writes starts so.
    public static let recordingHeader = "# exhunt command file, recorded from "

    /// What exhunt file this is (for the load's "not evidence" list), or nil for evidence. `head`: the file's
    /// first bytes; `location`: where it was read (a sidecar's case file is looked for beside it).
    static func what(path: String, location: String, head: UnsafeRawBufferPointer) -> String? {
        let name = String(path.pathFileName)
        if (name == folderFile || name.hasSuffix(suffix)) && startsWithExhuntKey(head.prefix(64)) {
            return "exhunt's own provenance file, written by an export"
        }
        if isCase(head) { return "an exhunt case file (marks, notes, audit log)" }
        if head.starts(with: recordingHeader.utf8) { return "an exhunt command file written by 'record'" }
        for sidecar in ["-wal", "-shm", "-journal"] where location.hasSuffix(sidecar) && !location.contains("!/") {
            if let base = FileHandle(forReadingAtPath: String(location.dropLast(sidecar.count))),
               let start = try? base.read(upToCount: 72), start.withUnsafeBytes(isCase) {
                return "the SQLite \(sidecar.dropFirst()) file of an exhunt case file"
            }
        }
        return nil
    }

    /// exhunt's exports among the files a walk found (in a folder or a zip alike), by index: an export written into
    /// a collection's folder would add its events again when the folder is loaded (reviewer). `FILE.csv|.jsonl|
    /// .ndjson` with `FILE.provenance.json` beside it, and the Test-ProxyLogon files of an `export proxylogon`
    /// folder (`exhunt-provenance.json` beside them) below the load's root; a file named to `load`, the export
    /// folder loaded itself, or a folder of exports alone, is read (exhunt's own Timesketch JSONL loads back).
    static func exports(among files: [PendingFile]) -> [Int: String] {
        let paths = Set(files.map(\.path))
        // A folder of nothing but exports and their provenance files is what was asked for: its exports at the top
        // are read (reviewer: `load tsk/` holding ex01.jsonl and its provenance file was refused), as an `export
        // proxylogon` folder loaded itself is. Beside other evidence they are left out.
        let onlyExports = files.allSatisfy { f in
            let name = f.path.pathFileName
            return name == folderFile || name.hasSuffix(suffix) || paths.contains(f.path + suffix)
        }
        var out: [Int: String] = [:]
        // The name is tested before any path is made and looked up: this runs before parsing starts, on one core.
        for (i, f) in files.enumerated() where !f.isRoot {
            let name = f.path.pathFileName
            let table = name.hasSuffixIgnoringASCIICase(".csv") || name.hasSuffixIgnoringASCIICase(".jsonl")
                || name.hasSuffixIgnoringASCIICase(".ndjson")
            if table && paths.contains(f.path + suffix) && (f.path.contains("/") || !onlyExports) {
                out[i] = "an exhunt export (its provenance file \(name)\(suffix) is beside it)"
            } else if withASCIIBytes(name, { ByteSearch.contains(UnsafeRawBufferPointer($0), "-Cve-2021-") }) || name.hasSuffixIgnoringASCIICase("-other.csv"),
                      let slash = f.path.lastIndex(of: "/"), paths.contains(f.path[..<slash] + "/" + folderFile) {
                out[i] = "Test-ProxyLogon's files as exhunt's export proxylogon wrote them (\(folderFile) is beside them)"
            }
        }
        return out
    }

    /// SQLite's header with exhunt's application id.
    static func isCase(_ head: UnsafeRawBufferPointer) -> Bool {
        guard head.count >= 72, head.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return false }
        let id = head[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return id == UInt32(bitPattern: caseApplicationID)
    }

    /// True for `{` then `"exhunt"`, whitespace allowed around them: the start of `Provenance`'s JSON.
    static func startsWithExhuntKey<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        let text = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return text.starts(with: Array("{\"exhunt\":".utf8))
    }
}

import Foundation

/// Files exhunt itself writes, which a folder being loaded may hold and which are not evidence: they describe
/// the investigation, not anything a server logged. A load names them and leaves them out.
///
/// - provenance files its exports write beside what they export (`exhunt-provenance.json` in an `export
///   proxylogon` folder, `FILE.provenance.json`), known by name and by their first key, `"exhunt"`;
/// - case files (SQLite with the application id "EXHC" in the header) and their `-wal`/`-shm`/`-journal`
///   sidecars, whatever their name;
/// - command files `record` writes, known by their first line;
/// - exports (`.csv`, `.jsonl`, `.ndjson`) with their `FILE.provenance.json` beside them, met in a folder (one
///   named to `load` is read: exhunt's own Timesketch JSONL loads back).
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
    /// first bytes; `location`: where it was read (a sidecar's case file is looked for beside it); `named`: the
    /// file is what `load` was given, not one met in a folder (an export loaded on purpose is read).
    static func what(path: String, location: String, head: UnsafeRawBufferPointer, named: Bool = false) -> String? {
        let name = String(path.pathFileName)
        if (name == folderFile || name.hasSuffix(suffix)) && startsWithExhuntKey(head.prefix(64)) {
            return "exhunt's own provenance file, written by an export"
        }
        if isCase(head) { return "an exhunt case file (marks, notes, audit log)" }
        // An export written into a collection's folder: its provenance file beside it says whose it is.
        if !named, ["csv", "jsonl", "ndjson"].contains(where: { name.lowercased().hasSuffix("." + $0) }), !location.contains("!/"),
           let beside = FileHandle(forReadingAtPath: location + suffix), let start = try? beside.read(upToCount: 64),
           startsWithExhuntKey(start) {
            return "an exhunt export (its provenance file \(name)\(suffix) is beside it)"
        }
        if head.starts(with: recordingHeader.utf8) { return "an exhunt command file written by 'record'" }
        for sidecar in ["-wal", "-shm", "-journal"] where location.hasSuffix(sidecar) && !location.contains("!/") {
            if let base = FileHandle(forReadingAtPath: String(location.dropLast(sidecar.count))),
               let start = try? base.read(upToCount: 72), start.withUnsafeBytes(isCase) {
                return "the SQLite \(sidecar.dropFirst()) file of an exhunt case file"
            }
        }
        return nil
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

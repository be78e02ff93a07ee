import Foundation
import ExchangeEvidence

/// File paths from listings (`Get-ChildItem`/`Get-FileHash` exports) and collected files: their readers
/// intern the full path as the event's URL stem, so path rules test each distinct path once.
enum FilePaths {
    static let kinds = [SourceKind.fileListing, SourceKind.fileHash, SourceKind.webFile]

    /// Events of file kinds whose path passes `test` (given the path lower-cased, `/` turned into `\`).
    static func events(_ store: EventStore, _ test: (String) -> Bool) -> [EventID] {
        store.events(where: .urlStem, kinds: kinds) { bytes in
            test(String(decoding: bytes, as: UTF8.self).lowercased().replacingOccurrences(of: "/", with: "\\"))
        }
    }

    static func name(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? Substring(path))
    }
}

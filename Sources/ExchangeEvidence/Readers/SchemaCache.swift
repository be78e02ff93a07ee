import Foundation

/// Parsed `#Fields` headers shared by all files of a load: hourly logs repeat the same 74-name header
/// thousands of times, and parsing it once per file was a large part of loading many small files.
final class SchemaCache<Extra>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (FieldSchema, Extra)] = [:]

    func get(_ key: String, make: () -> (FieldSchema, Extra)) -> (FieldSchema, Extra) {
        lock.lock()
        if let hit = entries[key] { lock.unlock(); return hit }
        lock.unlock()
        let made = make()
        lock.lock()
        defer { lock.unlock() }
        if let hit = entries[key] { return hit }
        if entries.count < 4096 { entries[key] = made }
        return made
    }
}

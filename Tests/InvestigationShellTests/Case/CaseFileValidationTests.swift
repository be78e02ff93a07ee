import Foundation
import GRDB
@testable import InvestigationShell
import Testing

/// Opening a case validates its whole schema (version, tables, columns) before touching it: a damaged file is
/// refused unchanged, with no `-wal`/`-shm` files left beside it.
@Suite struct CaseFileValidationTests {
    /// A fresh case edited by `sql`, closed; returns its path.
    static func edited(_ name: String, _ sql: String) throws -> String {
        let path = try CaseFileTests.folder().appendingPathComponent(name).path
        let c = try CaseFile.create(at: path)
        try c.write { try $0.execute(sql: sql) }
        c.close()
        return path
    }

    static func sidecars(_ path: String) -> [String] {
        ["-wal", "-shm"].filter { FileManager.default.fileExists(atPath: path + $0) }
    }

    func expectRefusedUnchanged(_ path: String, _ expected: String) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let leftBefore = Self.sidecars(path)
        let t = TestShell()
        let message = t.failure("case open \(path)")
        #expect(message.contains(expected) && message.contains("nothing was changed"), "\(message)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file was changed")
        #expect(Self.sidecars(path) == leftBefore, "a refused case leaves no -wal/-shm behind")
        #expect(try t.run("case").contains("no case is open"))
    }

    @Test func caseWithoutItsMarkTableIsRefused() throws {
        try expectRefusedUnchanged(try Self.edited("nomark.case", "DROP TABLE mark"), "without table mark")
    }

    @Test func caseWithoutAColumnIsRefused() throws {
        let path = try Self.edited("nonote.case", "ALTER TABLE note DROP COLUMN user")
        try expectRefusedUnchanged(path, "without column note.user")
    }

    @Test func caseOfSchemaVersionZeroIsRefusedUnchanged() throws {
        try expectRefusedUnchanged(try Self.edited("v0.case", "PRAGMA user_version = 0"), "case schema version 0")
    }

    @Test func damagedCaseLeavesNoWALBehind() throws {
        let path = try Self.edited("damaged.case", "INSERT INTO note (text, user, time) VALUES ('x', 'ana', 1)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Self.sidecars(path).isEmpty)
        for i in 100..<bytes.count { bytes[i] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        try expectRefusedUnchanged(path, "damaged")
    }

    /// An index that lost track of its table's rows passes SQLite's quick check, and a case read through it misses
    /// marks: refused (reviewer: such a file was opened and written to).
    @Test func caseWithABrokenIndexIsRefused() throws {
        let path = try Self.edited("index.case", "INSERT INTO ioc (type, value, user, time) VALUES ('ip', '203.0.113.9', 'ana', 1)")
        let (root, pageSize) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_ioc_1'")!,
             try Int.fetchOne(db, sql: "PRAGMA page_size")!)
        }
        for side in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + side) }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        // An index page fills from its end: its last byte is the entry's rowid, which then names no row.
        try handle.seek(toOffset: UInt64(root * pageSize - 1))
        handle.write(Data([0x7F]))
        try handle.close()
        try expectRefusedUnchanged(path, "is damaged")
    }

    /// A copy of a case still held in its `-wal` is an empty database: the refusal says what it likely is (reviewer).
    @Test func anEmptyDatabaseIsNamedAsACopyWithoutItsWAL() throws {
        let path = try CaseFileTests.folder().appendingPathComponent("stub.case").path
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try q.close()
        for side in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + side) }
        try expectRefusedUnchanged(path, "it is empty: a copy of a case taken while exhunt had it open may lack its -wal file")
    }

    @Test func everyVersionsSchemaIsKnown() throws {
        for v in 1...CaseFile.schemaVersion {
            let tables = try CaseSchema.expectedColumns(version: v)
            let later = Set(v >= 3 ? ["provenance"] : []).union(v >= 4 ? ["rule_file"] : [])
            #expect(Set(tables.keys) == Set(["mark", "note", "ioc", "evidence", "audit"]).union(later))
            #expect(tables["audit"]!.contains("depth") == (v >= 2))
        }
    }
}

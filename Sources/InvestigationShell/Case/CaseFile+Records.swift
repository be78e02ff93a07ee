import ExchangeEvidence
import Foundation
import GRDB

extension CaseFile {
    // MARK: - Notes

    @discardableResult
    public func addNote(_ text: String, user: String, time: Int64) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO note (text, user, time) VALUES (?, ?, ?)", arguments: [text, user, time])
            return db.lastInsertedRowID
        }
    }

    public func notes() throws -> [CaseNote] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM note ORDER BY id").map {
                CaseNote(id: $0["id"], text: $0["text"], user: $0["user"], time: $0["time"])
            }
        }
    }

    // MARK: - Loaded evidence

    /// Records files loaded while the case is open; a file already recorded (same SHA-256 and path) is kept once.
    public func recordEvidence(_ files: [EvidenceFile], time: Int64) throws {
        guard !files.isEmpty else { return }
        try write { db in
            for f in files {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO evidence (sha256, path, evidence_set, server, kind, size, loaded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.sha256, f.path, f.evidenceSet, f.server, f.kind.rawValue, f.size, time])
            }
        }
    }

    public func evidence() throws -> [CaseEvidence] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM evidence ORDER BY evidence_set, path").map {
                CaseEvidence(evidenceSet: $0["evidence_set"], path: $0["path"], server: $0["server"], kind: $0["kind"],
                             size: $0["size"], sha256: $0["sha256"], loadedAt: $0["loaded_at"])
            }
        }
    }

    // MARK: - Audit log

    public func audit(_ entries: [AuditEntry]) throws {
        guard !entries.isEmpty else { return }
        try write { db in
            for e in entries {
                try db.execute(sql: "INSERT INTO audit (time, user, command, error, depth, replay) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [e.time, e.user, e.command, e.error, e.depth, e.replay])
            }
        }
    }

    /// The last `limit` audit entries, oldest first.
    public func auditLog(limit: Int = Int.max) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id",
                             arguments: [min(limit, Int(Int32.max))]).map {
                AuditEntry(time: $0["time"], user: $0["user"], command: $0["command"], error: $0["error"], depth: $0["depth"], replay: $0["replay"])
            }
        }
    }

    /// Row counts for `case` (status).
    public func counts() throws -> [(table: String, rows: Int)] {
        try read { db in
            try ["mark", "note", "ioc", "evidence", "audit"].map { ($0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? 0) }
        }
    }
}

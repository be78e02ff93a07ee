import GRDB

/// Rule files loaded into the case (`rules load`), by path and SHA-256, so opening the case loads them again.
extension CaseFile {
    public func addRuleFile(path: String, sha256: String, kind: String, user: String, time: Int64) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO rule_file (path, sha256, kind, user, loaded_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, kind = excluded.kind, user = excluded.user,
                    loaded_at = excluded.loaded_at
                """, arguments: [path, sha256, kind, user, time])
        }
    }

    public func ruleFiles() throws -> [(path: String, sha256: String, kind: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT path, sha256, kind FROM rule_file ORDER BY loaded_at, path").map { ($0["path"], $0["sha256"], $0["kind"]) }
        }
    }
}

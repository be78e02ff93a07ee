import GRDB

/// A rule file loaded into the case: reloaded from `path` when the case is opened, checked against `sha256`.
public struct CaseRuleFile: Sendable, Hashable {
    public var path: String
    public var sha256: String
    public var kind: String
    public var options: String
}

/// Rule files (`rules load`) remembered by the case, so opening it again brings its detection content back.
extension CaseFile {
    public func recordRuleFiles(_ files: [CaseRuleFile], user: String, time: Int64) throws {
        try write { db in
            for f in files {
                try db.execute(sql: """
                    INSERT INTO rule_file (path, sha256, kind, options, user, loaded_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, kind = excluded.kind, options = excluded.options,
                    user = excluded.user, loaded_at = excluded.loaded_at
                    """, arguments: [f.path, f.sha256, f.kind, f.options, user, time])
            }
        }
    }

    public func ruleFiles() throws -> [CaseRuleFile] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rule_file ORDER BY loaded_at, path").map {
                CaseRuleFile(path: $0["path"], sha256: $0["sha256"], kind: $0["kind"], options: $0["options"])
            }
        }
    }
}

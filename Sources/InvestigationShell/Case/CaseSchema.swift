import GRDB

/// The tables of a case file. Times are ms since the epoch (UTC); tags are a JSON array of strings.
/// A new file gets version 1 and then every migration; an older file is migrated when it is opened.
enum CaseSchema {
    /// Changes after version 1, in order: `migrations[k]` brings a file from version k + 1 to k + 2.
    static let migrations = [
        // 2: how deep in `source` each audited command ran (0: typed or a top-level script line), so the
        // history exported as a script does not run sourced lines a second time. Older rows read as 0.
        "ALTER TABLE audit ADD COLUMN depth INTEGER NOT NULL DEFAULT 0",
        // 3: which exhunt (version, commit, binary digest), rules, indicator sets and time zone each session
        // that opened the case ran with; `detail` is the provenance JSON without the commands (those are in audit).
        """
        CREATE TABLE provenance (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            user TEXT NOT NULL,
            exhunt TEXT NOT NULL,
            commit_id TEXT NOT NULL,
            detail TEXT NOT NULL
        )
        """,
        // 4: rule files loaded into the case (`rules load`), reloaded when the case is opened; `kind` names the
        // loader (`yara`), `options` its flags (`raw`), `sha256` the bytes compiled, to tell a changed file.
        """
        CREATE TABLE IF NOT EXISTS rule_file (
            path TEXT NOT NULL PRIMARY KEY,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '',
            user TEXT NOT NULL,
            loaded_at INTEGER NOT NULL
        )
        """,
        // 5: a mark belongs to one server's copy of a file: the same content on two servers (one web shell
        // dropped on both, a stock page) holds two events, and a mark on one must not show on the other.
        """
        CREATE TABLE mark_by_server (
        \(markColumns)
            PRIMARY KEY (sha256, line, server)
        );
        INSERT INTO mark_by_server SELECT sha256, line, path, server, event_time, message, label, note, tags, finding, user, marked_at FROM mark;
        DROP TABLE mark;
        ALTER TABLE mark_by_server RENAME TO mark
        """,
        // 6: the form a command replays in when its typed form names session-local numbers (`mark 3903`,
        // `mark finding F6`): `case history --as-script` writes this instead, so a replay on other evidence
        // fails loudly rather than marking whatever event now has that number.
        "ALTER TABLE audit ADD COLUMN replay TEXT",
        // 7: the evidence list keyed by server too: two servers' byte-identical files at one path (each server's
        // `build/exsetup.txt`) were recorded once, for the first server, and the other's copy was missing from the
        // chain of custody (reviewer).
        """
        CREATE TABLE evidence_by_server (
        \(evidenceColumns)
            PRIMARY KEY (sha256, path, server)
        );
        INSERT INTO evidence_by_server SELECT sha256, path, evidence_set, server, kind, size, loaded_at FROM evidence;
        DROP TABLE evidence;
        ALTER TABLE evidence_by_server RENAME TO evidence
        """,
    ]

    /// Applies the migrations a file at `version` lacks and records the new version, in one transaction.
    static func migrate(_ db: Database, from version: Int) throws {
        guard version < CaseFile.schemaVersion else { return }
        for sql in migrations[max(0, version - 1)...] { try db.execute(sql: sql) }
        try db.execute(sql: "PRAGMA user_version = \(CaseFile.schemaVersion)")
    }

    /// The tables and columns a case file of `version` has, read from a scratch database built by the same
    /// statements (so the check cannot drift from the schema).
    static func expectedColumns(version: Int) throws -> [String: Set<String>] {
        let scratch = try DatabaseQueue()
        return try scratch.write { db in
            try db.execute(sql: version1)
            for sql in migrations.prefix(max(0, version - 1)) { try db.execute(sql: sql) }
            return try columns(db)
        }
    }

    /// The tables (other than SQLite's own) and their column names.
    static func columns(_ db: Database) throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
            out[table] = Set(try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { $0["name"] as String })
        }
        return out
    }

    /// What a file of `version` lacks ("table mark", "column audit.depth"), empty when nothing.
    static func missing(in db: Database, version: Int) throws -> [String] {
        let have = try columns(db)
        var out: [String] = []
        for (table, columns) in try expectedColumns(version: version).sorted(by: { $0.key < $1.key }) {
            guard let present = have[table] else { out.append("table \(table)"); continue }
            out += columns.subtracting(present).sorted().map { "column \(table).\($0)" }
        }
        return out
    }

    /// The columns of a mark, as version 1 made them; version 5 only widened the key.
    static let markColumns = """
            sha256 TEXT NOT NULL,
            line INTEGER NOT NULL,
            path TEXT NOT NULL,
            server TEXT NOT NULL,
            event_time INTEGER,
            message TEXT NOT NULL,
            label TEXT NOT NULL CHECK (label IN ('malicious', 'suspicious', 'benign', 'reviewed')),
            note TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',
            finding TEXT,
            user TEXT NOT NULL,
            marked_at INTEGER NOT NULL,
        """

    /// The columns of an evidence row, as version 1 made them; version 7 only widened the key.
    static let evidenceColumns = """
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            evidence_set TEXT NOT NULL,
            server TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            loaded_at INTEGER NOT NULL,
        """

    static let version1 = """
        CREATE TABLE mark (
        \(markColumns)
            PRIMARY KEY (sha256, line)
        );
        CREATE TABLE note (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            text TEXT NOT NULL,
            user TEXT NOT NULL,
            time INTEGER NOT NULL
        );
        CREATE TABLE ioc (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            value TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            user TEXT NOT NULL,
            time INTEGER NOT NULL,
            UNIQUE (type, value)
        );
        CREATE TABLE evidence (
        \(evidenceColumns)
            PRIMARY KEY (sha256, path)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            user TEXT NOT NULL,
            command TEXT NOT NULL,
            error TEXT
        );
        """
}

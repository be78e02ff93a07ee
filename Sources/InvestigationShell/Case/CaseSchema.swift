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
        // 4: rule files loaded into the case (`rules load`), reloaded when it is opened.
        """
        CREATE TABLE IF NOT EXISTS rule_file (
            path TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            user TEXT NOT NULL,
            loaded_at INTEGER NOT NULL
        )
        """,
    ]

    /// Applies the migrations a file at `version` lacks and records the new version, in one transaction.
    static func migrate(_ db: Database, from version: Int) throws {
        guard version < CaseFile.schemaVersion else { return }
        for sql in migrations[max(0, version - 1)...] { try db.execute(sql: sql) }
        try db.execute(sql: "PRAGMA user_version = \(CaseFile.schemaVersion)")
    }

    static let version1 = """
        CREATE TABLE mark (
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
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            evidence_set TEXT NOT NULL,
            server TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            loaded_at INTEGER NOT NULL,
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

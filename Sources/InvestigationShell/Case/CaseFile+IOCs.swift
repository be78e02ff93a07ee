import GRDB

/// Analyst IOCs: indicators the analyst adds during the investigation, kept in the case so they are
/// shared with it and reported. The IOC commands use this API; values are stored as given.
extension CaseFile {
    /// Adds an indicator, or updates its note when the same type and value exist; returns its id.
    @discardableResult
    public func addIOC(_ ioc: AnalystIOC) throws -> Int64 {
        try write { db in
            try db.execute(sql: """
                INSERT INTO ioc (type, value, note, user, time) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (type, value) DO UPDATE SET note = excluded.note, user = excluded.user, time = excluded.time
                """, arguments: [ioc.type, ioc.value, ioc.note, ioc.user, ioc.time])
            return try Int64.fetchOne(db, sql: "SELECT id FROM ioc WHERE type = ? AND value = ?", arguments: [ioc.type, ioc.value]) ?? 0
        }
    }

    /// Removes an indicator by id; returns false when there was none.
    @discardableResult
    public func removeIOC(id: Int64) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM ioc WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func iocs() throws -> [AnalystIOC] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ioc ORDER BY id").map {
                AnalystIOC(id: $0["id"], type: $0["type"], value: $0["value"], note: $0["note"], user: $0["user"], time: $0["time"])
            }
        }
    }
}

import GRDB

extension CaseFile {
    /// One session's exhunt build, rules, indicator sets and time zone, as recorded when it opened the case.
    public struct ProvenanceRecord: Sendable {
        public var time: Int64
        public var user: String
        public var exhunt: String
        public var commit: String
        /// The provenance JSON, without the commands (the audit log holds those).
        public var detail: String
    }

    /// Records what this session runs with; called when a session opens or creates the case.
    func recordProvenance(_ p: Provenance, user: String, time: Int64) throws {
        guard case .object(let pairs) = p.json else { return }
        let detail = JSONValue.object(pairs.filter { $0.0 != "commands" }).serialized()
        try write { db in
            try db.execute(sql: "INSERT INTO provenance (time, user, exhunt, commit_id, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [time, user, p.version, p.commit, detail])
        }
    }

    public func provenanceRecords() throws -> [ProvenanceRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM provenance ORDER BY id").map {
                ProvenanceRecord(time: $0["time"], user: $0["user"], exhunt: $0["exhunt"], commit: $0["commit_id"], detail: $0["detail"])
            }
        }
    }
}

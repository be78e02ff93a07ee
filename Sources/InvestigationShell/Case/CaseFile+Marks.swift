import Foundation
import GRDB

extension CaseFile {
    /// Adds or updates marks in one transaction. Re-marking an event changes its label and keeps an
    /// earlier note or tags unless new ones are given.
    public func saveMarks(_ marks: [CaseMark]) throws {
        try write { db in
            for m in marks {
                try db.execute(sql: """
                    INSERT INTO mark (sha256, line, path, server, event_time, message, label, note, tags, finding, user, marked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (sha256, line, server) DO UPDATE SET
                        label = excluded.label,
                        note = CASE WHEN excluded.note = '' THEN mark.note ELSE excluded.note END,
                        tags = CASE WHEN excluded.tags = '[]' THEN mark.tags ELSE excluded.tags END,
                        finding = COALESCE(excluded.finding, mark.finding),
                        user = excluded.user, marked_at = excluded.marked_at
                    """, arguments: [m.sha256, m.line, m.path, m.server, m.eventTime == Int64.min ? nil : m.eventTime,
                                     m.message, m.label, m.note, Self.encodeTags(m.tags), m.finding, m.user, m.markedAt])
            }
        }
    }

    /// Removes the marks with these keys; returns how many existed.
    @discardableResult
    public func removeMarks(_ keys: [CaseMark.Key]) throws -> Int {
        try write { db in
            var n = 0
            for k in keys {
                try db.execute(sql: "DELETE FROM mark WHERE sha256 = ? AND line = ? AND server = ?", arguments: [k.sha256, k.line, k.server])
                n += db.changesCount
            }
            return n
        }
    }

    /// Every mark, in event time order; marks of undated events (a collected web file) after the dated ones, so the
    /// story in `marks` and the report does not open with them (instructor review).
    public func marks() throws -> [CaseMark] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mark ORDER BY (event_time IS NULL OR event_time = ?), event_time, path, line",
                             arguments: [Int64.min]).map { r in
                CaseMark(sha256: r["sha256"], line: r["line"], path: r["path"], server: r["server"],
                         eventTime: r["event_time"] ?? Int64.min, message: r["message"], label: r["label"], note: r["note"],
                         tags: Self.decodeTags(r["tags"]), finding: r["finding"], user: r["user"], markedAt: r["marked_at"])
            }
        }
    }

    static func encodeTags(_ tags: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(tags), as: UTF8.self)) ?? "[]"
    }

    static func decodeTags(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}

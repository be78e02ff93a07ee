import ExchangeEvidence
import Foundation
import GRDB

/// One investigation's case file: an SQLite database (WAL mode) with the marks, notes, analyst IOCs,
/// loaded evidence and the audit log. Each change is its own transaction, committed before the command
/// that made it returns, so a crash loses nothing; SQLite's locking lets two shells share one file.
///
/// Opening checks the file before touching it: a file that is not SQLite, an SQLite database that is not
/// a case, a damaged file (including a case missing a table or column of its schema version, or with no
/// version), or a case written by a newer exhunt gives a clear error and is left unchanged.
public final class CaseFile {
    public let path: String
    let queue: DatabaseQueue

    /// The schema this build writes; files with a higher `user_version` are refused.
    public static let schemaVersion = 1 + CaseSchema.migrations.count
    /// `PRAGMA application_id` of case files ("EXHC"), by which a load also knows one and leaves it out.
    public static let applicationID: Int32 = ExhuntFiles.caseApplicationID

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    static func configuration(readonly: Bool) -> Configuration {
        var c = Configuration()
        c.readonly = readonly
        c.busyMode = .timeout(10)
        // A case file may come from someone else: its schema's SQL must not run functions with side effects.
        c.prepareDatabase { db in try db.execute(sql: "PRAGMA trusted_schema = OFF") }
        if !readonly {
            c.journalMode = .wal
            c.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        return c
    }

    /// Creates a new case file; refuses to overwrite anything.
    public static func create(at path: String) throws -> CaseFile {
        if FileManager.default.fileExists(atPath: path) {
            throw ShellError("\(path) already exists; open it with 'case open \(path)' or choose another name")
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false))
            try queue.write { db in
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: CaseSchema.version1)
                try CaseSchema.migrate(db, from: 1)
            }
        } catch let e as DatabaseError {
            throw ShellError("cannot create case file \(path): \(e.message ?? e.description)")
        }
        return CaseFile(path: path, queue: queue)
    }

    /// A case held in memory only, gone when closed: a lesson's marks and audit, kept apart from the user's
    /// case and leaving nothing behind on disk, whichever way the session ends.
    static func inMemory(name: String) throws -> CaseFile {
        do {
            let queue = try DatabaseQueue()
            try queue.write { db in
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: CaseSchema.version1)
                try CaseSchema.migrate(db, from: 1)
            }
            return CaseFile(path: name, queue: queue)
        } catch let e as DatabaseError {
            throw ShellError("cannot create the \(name): \(e.message ?? e.description)")
        }
    }

    /// Opens an existing case file after checking it is one this build can use; a file of an older schema
    /// is brought up to date (another shell may have done so first: the version is read inside the write).
    public static func open(at path: String) throws -> CaseFile {
        try refuseReadOnly(path)
        try validate(path)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false))
            if try queue.read({ try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }) < schemaVersion {
                try queue.write { db in try CaseSchema.migrate(db, from: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0) }
            }
            return CaseFile(path: path, queue: queue)
        } catch let e as DatabaseError {
            throw ShellError("cannot open case file \(path): \(e.message ?? e.description)")
        }
    }

    /// A case exhunt cannot write (a handed-over copy on read-only media, a file of another user): said as that,
    /// before SQLite is asked, which called it "damaged" and left empty `-wal`/`-shm` files beside it (reviewer).
    /// Every command that opens a case may write to it (the audit log), so it is not opened read-only.
    static func refuseReadOnly(_ path: String) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) else { return }
        let folder = (URL(fileURLWithPath: path).deletingLastPathComponent().path as NSString).standardizingPath
        let what = !fm.isWritableFile(atPath: path) ? "the file is read-only for you"
            : !fm.isWritableFile(atPath: folder) ? "its folder is read-only for you (SQLite writes the case's journal beside it)" : nil
        if let what {
            throw ShellError("\(path) cannot be opened: \(what), and exhunt writes the audit log and marks into the case; "
                             + "copy it to a folder of yours and open the copy; nothing was changed")
        }
    }

    /// Reads the header, the schema version and every table and column without writing, so a refused file is
    /// left as it was — and with no `-wal`/`-shm` files beside it that this check created.
    static func validate(_ path: String) throws {
        let sidecars = [path + "-wal", path + "-shm"].filter { !FileManager.default.fileExists(atPath: $0) }
        do { try check(path) } catch {
            // A read-only connection to a WAL-mode file creates these; they hold nothing (an empty log).
            let wal = path + "-wal"
            let walEmpty = ((try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0) == 0
            if walEmpty { for p in sidecars { try? FileManager.default.removeItem(atPath: p) } }
            throw error
        }
    }

    private static func check(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ShellError("no case file at \(path) (create one with 'case new \(path)')")
        }
        guard !isDir.boolValue else { throw ShellError("\(path) is a folder, not a case file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ShellError("cannot read \(path)") }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard head == Data("SQLite format 3\0".utf8) else {
            throw ShellError("\(path) is not an exhunt case file (not an SQLite database); nothing was changed")
        }
        do {
            let check = try DatabaseQueue(path: path, configuration: configuration(readonly: true))
            defer { try? check.close() }
            try check.read { db in
                let app = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard app == applicationID else {
                    // An empty database is what a copy of a case still held in its `-wal` looks like (reviewer).
                    let empty = (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0) == 0
                    throw ShellError("\(path) is an SQLite database but not an exhunt case file; nothing was changed"
                                     + (empty ? " (it is empty: a copy of a case taken while exhunt had it open may lack its -wal file; copy that too)" : ""))
                }
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard version <= schemaVersion else {
                    throw ShellError("\(path) was written by a newer exhunt (case schema \(version); this exhunt reads up to "
                                     + "\(schemaVersion)); nothing was changed — open it with a newer exhunt")
                }
                guard version >= 1 else {
                    throw ShellError("\(path) is damaged (case schema version \(version): exhunt writes 1 or more); nothing was changed")
                }
                // integrity_check, not quick_check: an index that lost rows passes the quick check, and a case read through
                // it misses marks (reviewer: such a file was opened and written to). Case files are small.
                let result = try String.fetchAll(db, sql: "PRAGMA integrity_check(4)")
                guard result == ["ok"] else {
                    throw ShellError("\(path) is damaged (\(Self.firstLines(result))); nothing was changed")
                }
                let missing = try CaseSchema.missing(in: db, version: version)
                guard missing.isEmpty else {
                    throw ShellError("\(path) is damaged (case schema \(version) without \(missing.prefix(3).joined(separator: ", "))"
                                     + "\(missing.count > 3 ? ", …" : "")); nothing was changed")
                }
                // exhunt writes no trigger or view. One in a case file received from elsewhere would run as exhunt
                // writes marks and the audit log (rewriting labels, deleting history): refused, not run.
                let foreign = try String.fetchAll(db, sql: "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name")
                guard foreign.isEmpty else {
                    throw ShellError("\(path) holds SQL exhunt never writes (\(TerminalText.escape(foreign.prefix(3).joined(separator: ", ")))"
                                     + "\(foreign.count > 3 ? ", …" : "")): it would run as exhunt writes marks and the audit log; "
                                     + "nothing was changed — drop them with sqlite3 in a copy you have checked, then open that")
                }
            }
        } catch let e as DatabaseError {
            let lines = (e.message ?? e.description).split(whereSeparator: \.isNewline).map(String.init)
            throw ShellError("\(path) is damaged or not a case file (SQLite: \(Self.firstLines(lines))); nothing was changed")
        }
    }

    /// SQLite's findings, one per line and sometimes dozens: the first two, and how many more.
    static func firstLines(_ lines: [String]) -> String {
        lines.prefix(2).joined(separator: "; ") + (lines.count > 2 ? "; and \(lines.count - 2) more" : "")
    }

    /// Closes the database; further calls fail. The last connection's close folds the WAL into the file.
    public func close() { try? queue.close() }

    /// Copies committed changes from the WAL into the file itself, without waiting for another shell's readers
    /// (passive): the file alone, copied while the shell is open, holds the work (reviewer: a case copied after
    /// an interactive session was an empty database, its marks left in `-wal`).
    func checkpoint() { _ = try? queue.writeWithoutTransaction { try $0.checkpoint(.passive) } }

    /// Changes another connection committed since the last call differ in this number (SQLite's `data_version`).
    func dataVersion() -> Int { (try? queue.read { try Int.fetchOne($0, sql: "PRAGMA data_version") }) ?? 0 }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch let e as DatabaseError {
            throw ShellError("case file \(path): \(e.message ?? e.description)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let e as DatabaseError {
            throw ShellError("case file \(path): \(e.message ?? e.description)")
        }
    }
}

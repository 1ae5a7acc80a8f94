import Foundation
import GRDB
import GRDBSQLite

/// Opens the SQLite file, applies the embedded migrations, and runs each business operation in
/// one transaction, mapping SQLite failures to `LedgerError`.
final class Store: Storage {
    let writer: any DatabaseWriter

    /// How long a writer waits for another process's transaction before giving up (busy, 75).
    static let busyTimeoutSeconds = 10

    /// Opens the file at `path` (memory when nil), creating it owner-only (0600) when absent.
    ///
    /// Any number of threads and processes may open a new file at once: the version check reads
    /// first (a file from a newer version is refused before anything is written to it), and the
    /// migrations run in one exclusive transaction that checks again what is applied, so exactly
    /// one opener migrates and the others find the work done.
    /// - Parameter readOnly: open for reading only (a file the process may not write); every
    ///   write is then `read_only`, and a file whose schema is not current is refused.
    init(path: String?, readOnly: Bool = false) throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.readonly = readOnly
        config.busyMode = .timeout(.init(Self.busyTimeoutSeconds))
        config.prepareDatabase { db in
            // synchronous=FULL: a committed operation survives power loss (see README).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -\(Limits.pageCacheKiB)")
        }
        do {
            guard let path else {
                writer = try DatabaseQueue(configuration: config)
                try Self.migrate(writer)
                return
            }
            if !readOnly { try Self.createOwnerOnly(path) }
            let queue = try DatabaseQueue(path: path, configuration: config)
            let complete = try Self.checkVersion(queue)
            if readOnly {
                guard complete else {
                    throw LedgerError(
                        .readOnly, "the ledger file at '\(path)' needs its schema upgraded and cannot be written")
                }
            } else {
                try queue.writeWithoutTransaction { db in
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode")
                    if mode?.lowercased() != "wal" {
                        try db.execute(sql: "PRAGMA journal_mode = WAL")
                    }
                }
                if !complete { try Self.migrate(queue) }
            }
            writer = queue
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.map(error)
        }
    }

    /// Creates an empty file readable and writable by its owner only, unless one exists. SQLite
    /// gives the -wal and -shm files the database file's permissions.
    private static func createOwnerOnly(_ path: String) throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
        } else if errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw LedgerError(.storage, "cannot create the ledger file at '\(path)': \(reason)")
        }
    }

    /// The migrations, by identifier (the file name without `.sql`), in order.
    static let migrations: [(identifier: String, sql: String)] = EmbeddedSchema.migrations.map {
        (String($0.name.prefix { $0 != "." }), $0.sql)
    }

    /// Whether every migration is applied (read only).
    /// - Throws: `schema_too_new` when the file has a migration this version does not know.
    private static func checkVersion(_ writer: any DatabaseWriter) throws -> Bool {
        try writer.read { db in try Self.pending(db).isEmpty }
    }

    /// The migrations not applied to `db`, in order.
    /// - Throws: `schema_too_new` when `db` has a migration this version does not know.
    private static func pending(_ db: Database) throws -> [(identifier: String, sql: String)] {
        // The table GRDB's migrator kept, so files written by earlier versions are read as they are.
        let applied =
            try db.tableExists("grdb_migrations")
            ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
        let known = Set(migrations.map(\.identifier))
        if !applied.isSubset(of: known) {
            throw LedgerError(
                .schemaTooNew,
                "the database file has a newer schema than this ledger knows (latest known: \(migrations.last?.identifier ?? "none")); upgrade the ledger"
            )
        }
        return migrations.filter { !applied.contains($0.identifier) }
    }

    /// Applies the pending migrations (through `upTo`, when given) in one exclusive transaction:
    /// concurrent openers wait for it, then find nothing pending.
    static func migrate(_ writer: any DatabaseWriter, upTo last: String? = nil) throws {
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.exclusive) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for migration in try pending(db) {
                    if let last, migration.identifier > last { break }
                    try preparations[migration.identifier]?(db)
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                }
                return .commit
            }
        }
    }

    /// The transaction this thread is inside, when an operation runs within another (an
    /// idempotent request): nested operations then join it through a savepoint.
    private var joined: Database? {
        get { (Thread.current.threadDictionary[joinKey] as? DatabaseBox)?.db }
        set { Thread.current.threadDictionary[joinKey] = newValue.map(DatabaseBox.init) }
    }

    private var joinKey: String { "LedgerKit.Store.\(ObjectIdentifier(self).hashValue)" }

    private final class DatabaseBox {
        let db: Database
        init(_ db: Database) { self.db = db }
    }

    /// Runs `body` with every operation it calls joining `tx`'s transaction.
    func joining<T>(_ tx: StorageTransaction, _ body: () throws -> T) rethrows -> T {
        let previous = joined
        joined = (tx.db as! SQLiteConnection).db
        defer { joined = previous }
        return try body()
    }

    /// Runs `body` in one IMMEDIATE transaction (the write lock is taken at its start, so two
    /// writers never interleave): all of it is written, or none of it.
    func write<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let db = joined {
            var result: T?
            try db.inSavepoint {
                result = try body(StorageTransaction(db: SQLiteConnection(db)))
                return .commit
            }
            return result!
        }
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(StorageTransaction(db: SQLiteConnection(db)))
                    return .commit
                }
                return result!
            }
        } catch let error as LedgerError {
            throw error
        } catch let signal as RollbackSignal {
            throw signal
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction that is rolled back after it (a savepoint rolled
    /// back when joined): what `body` writes is seen by its own reads and never stored. It does
    /// not wait for another process's write lock: `busy` at once (the caller reads instead).
    func simulate<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        var result: T?
        if let db = joined {
            try db.inSavepoint {
                result = try body(StorageTransaction(db: SQLiteConnection(db)))
                return .rollback
            }
            return result!
        }
        do {
            return try writer.writeWithoutTransaction { db in
                sqlite3_busy_timeout(db.sqliteConnection, 0)
                defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(Self.busyTimeoutSeconds * 1000)) }
                try db.inTransaction(.immediate) {
                    result = try body(StorageTransaction(db: SQLiteConnection(db)))
                    return .rollback
                }
                return result!
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let db = joined { return try body(StorageTransaction(db: SQLiteConnection(db))) }
        do {
            // One deferred transaction: one snapshot for the whole read. Not GRDB's `read`, which
            // turns PRAGMA query_only on and off around it: SQLite expires every prepared
            // statement when a flag pragma changes, so each read prepared all its statements
            // again (half the time of a credit balance read). That a read writes nothing is
            // asserted instead.
            return try writer.unsafeRead { db in
                var result: T?
                let changes = db.totalChangesCount
                try db.inTransaction(.deferred) {
                    result = try body(StorageTransaction(db: SQLiteConnection(db)))
                    assert(db.totalChangesCount == changes, "a read wrote to the file")
                    return .commit
                }
                return result!
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.map(error)
        }
    }

    static func map(_ error: any Error) -> LedgerError {
        guard let error = error as? DatabaseError else {
            return LedgerError(.storage, "\(error)")
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError(.busy, "the database file is busy; retry")
        case .SQLITE_CONSTRAINT:
            let message = error.message ?? "constraint failed"
            if message.hasPrefix("unbalanced_entry") {
                return LedgerError(.unbalancedEntry, message)
            }
            return LedgerError(.invalidRequest, "rejected by the database: \(message)")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return LedgerError(.storage, "the database file is corrupt or not a ledger: \(error.message ?? "")")
        case .SQLITE_FULL:
            return LedgerError(.storage, "the disk is full")
        case .SQLITE_READONLY:
            return LedgerError(
                .readOnly, "this process cannot write the ledger file (read-only): \(error.message ?? "")")
        default:
            return LedgerError(.storage, "storage error: \(error.message ?? "\(error.resultCode)")")
        }
    }
}

/// JSON encoding of metadata maps, keys sorted so equal maps store equal text.
enum MetadataJSON {
    static func encode(_ metadata: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(metadata)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// - Throws: `storage_error` when the stored text is not a string map (a CHECK keeps it JSON).
    static func decode(_ text: String) throws -> [String: String] {
        // Most objects have none: no decoder for `{}` (a JSONDecoder per row was a third of
        // reading a customer's grants).
        if text == "{}" { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw LedgerError(.storage, "the database file holds metadata that is not a string map: \(text.prefix(80))")
        }
    }
}

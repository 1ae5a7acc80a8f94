import Foundation
import GRDB

/// Opens the SQLite file, applies the embedded migrations, and runs each business operation in
/// one transaction, mapping SQLite failures to `LedgerError`.
final class Store: Sendable {
    let writer: any DatabaseWriter

    /// How long a writer waits for another process's transaction before giving up (busy, 75).
    static let busyTimeoutSeconds = 10

    init(path: String?) throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(.init(Self.busyTimeoutSeconds))
        config.prepareDatabase { db in
            // synchronous=FULL: a committed operation survives power loss (see README).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -\(Limits.pageCacheKiB)")
        }
        do {
            if let path {
                let queue = try DatabaseQueue(path: path, configuration: config)
                try queue.writeWithoutTransaction { db in
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode")
                    if mode?.lowercased() != "wal" {
                        try db.execute(sql: "PRAGMA journal_mode = WAL")
                    }
                }
                writer = queue
            } else {
                writer = try DatabaseQueue(configuration: config)
            }
            try Self.migrate(writer)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.map(error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedSchema.migrations {
            let identifier = String(migration.name.prefix { $0 != "." })
            migrator.registerMigration(identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    private static func migrate(_ writer: any DatabaseWriter) throws {
        let migrator = Self.migrator
        // Refuse a file written by a newer version: never run on a schema we do not know.
        let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded {
            let known = migrator.migrations.last ?? "none"
            throw LedgerError(
                .schemaTooNew,
                "the database file has a newer schema than this ledger knows (latest known: \(known)); upgrade the ledger"
            )
        }
        let complete = try writer.read { db in try migrator.hasCompletedMigrations(db) }
        if !complete {
            try migrator.migrate(writer)
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
        joined = tx.db
        defer { joined = previous }
        return try body()
    }

    /// Runs `body` in one IMMEDIATE transaction (the write lock is taken at its start, so two
    /// writers never interleave): all of it is written, or none of it.
    func write<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let db = joined {
            var result: T?
            try db.inSavepoint {
                result = try body(StorageTransaction(db: db))
                return .commit
            }
            return result!
        }
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(StorageTransaction(db: db))
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

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let db = joined { return try body(StorageTransaction(db: db)) }
        do {
            return try writer.read { db in try body(StorageTransaction(db: db)) }
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
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw LedgerError(.storage, "the database file holds metadata that is not a string map: \(text.prefix(80))")
        }
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The PostgreSQL backend: a database on a server, selected by a `postgres://` URL.
///
/// Each business operation is one transaction on one pooled connection. A write runs at
/// SERIALIZABLE: where two concurrent operations read what the other writes (an invoice number,
/// a grant's remaining balance), the server fails one of them and it runs again from the start
/// (up to `retriesMax` times; then `busy`). A write that lost `optimisticAttempts` times runs
/// next alone: it waits for the writers in flight and holds off new ones (an advisory lock that
/// every write takes shared, and it exclusive), so a hot row (the invoice counter, the clock)
/// cannot starve it. The migrations (`Schema/postgres/`) run at the first
/// open, under an advisory lock, so concurrent first opens apply them once.
final class PostgresStore: Storage, @unchecked Sendable {
    private let configuration: PostgresConnection.Configuration
    private let schema: String?
    private let logger: Logger
    private let lock = NSLock()
    private var idle: [PostgresSession] = []
    private var opened = 0

    /// Attempts of one write that the server fails for a serialization conflict.
    static let retriesMax = 64
    /// Attempts run alongside other writers; the ones after run alone.
    static let optimisticAttempts = 8
    /// The writers' advisory lock of the ledger's schema: (class, hash of the schema's name).
    static let writersLock = "7100, hashtext(current_schema())"
    /// How long a write waits for a row another transaction holds before `busy` (as SQLite's
    /// busy timeout).
    static let lockTimeout = "\(Store.busyTimeoutSeconds)s"

    /// - Throws: `invalid_request` for a URL that is not `postgres://[user[:password]@]host[:port]/database`,
    ///   `storage_error` when the server cannot be reached, `schema_too_new`.
    init(url: URL) throws {
        configuration = try Self.configuration(url)
        schema = try URLComponents(url: url, resolvingAgainstBaseURL: false).flatMap(Self.schema)
        var logger = Logger(label: "LedgerKit.PostgreSQL")
        logger.logLevel = .critical
        self.logger = logger
        try migrate()
    }

    deinit {
        for session in idle {
            let closing: EventLoopFuture<Void> = session.connection.close()
            try? closing.wait()
        }
    }

    static func configuration(_ url: URL) throws -> PostgresConnection.Configuration {
        guard let parts = URLComponents(url: url, resolvingAgainstBaseURL: false),
            ["postgres", "postgresql"].contains(parts.scheme ?? ""), let host = parts.host, !host.isEmpty
        else {
            throw LedgerError(
                .invalidRequest, "'\(url)' is not a PostgreSQL URL: postgres://user[:password]@host[:port]/database",
                param: "db")
        }
        let database = String(parts.path.drop { $0 == "/" })
        let sslmode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard sslmode == "disable" else {
            throw LedgerError(
                .invalidRequest,
                "sslmode=\(sslmode) is not supported: the ledger connects without TLS (sslmode=disable)",
                param: "db")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        if let schema = try schema(parts) {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        return configuration
    }

    /// The schema named by `?search_path=`, when given: the ledger's tables are made there
    /// (and the schema too, at the first open), so one database can hold several ledgers.
    static func schema(_ parts: URLComponents) throws -> String? {
        guard let schema = parts.queryItems?.first(where: { $0.name == "search_path" })?.value else { return nil }
        guard schema.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
            throw LedgerError(
                .invalidRequest, "search_path '\(schema)' is not a schema name (lowercase letters, digits, _)",
                param: "db")
        }
        return schema
    }

    // MARK: Connections

    private func checkOut() throws -> PostgresSession {
        if let session = lock.withLock({ idle.popLast() }) { return session }
        let id = lock.withLock {
            opened += 1
            return opened
        }
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
            return PostgresSession(connection, logger: logger)
        } catch {
            throw LedgerError(.storage, "cannot connect to the PostgreSQL server: \(Self.describe(error))")
        }
    }

    private func checkIn(_ session: PostgresSession) {
        if session.broken {
            let closing: EventLoopFuture<Void> = session.connection.close()
            closing.whenComplete { _ in }
            return
        }
        lock.withLock { idle.append(session) }
    }

    // MARK: Transactions

    /// The session of the transaction this thread is inside (an idempotent request's).
    private var joined: PostgresSession? {
        get { (Thread.current.threadDictionary[joinKey] as? PostgresSession) }
        set { Thread.current.threadDictionary[joinKey] = newValue }
    }

    private var joinKey: String { "LedgerKit.PostgresStore.\(ObjectIdentifier(self).hashValue)" }

    func joining<T>(_ tx: StorageTransaction, _ body: () throws -> T) rethrows -> T {
        let previous = joined
        joined = tx.db as? PostgresSession
        defer { joined = previous }
        return try body()
    }

    func write<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let session = joined { return try inSavepoint(session, rollback: false, body) }
        var attempt = 0
        while true {
            attempt += 1
            let alone = attempt > Self.optimisticAttempts
            do {
                return try transaction(
                    begin: "BEGIN ISOLATION LEVEL SERIALIZABLE",
                    settings: alone
                        ? "SELECT set_config('lock_timeout', '\(Self.lockTimeout)', true)"
                        : "SELECT set_config('lock_timeout', '\(Self.lockTimeout)', true) FROM pg_advisory_xact_lock_shared(\(Self.writersLock))",
                    alone: alone, commit: true, body)
            } catch let error as PSQLError
                where (Self.isRetryable(error) || Self.isLockTimeout(error)) && attempt < Self.retriesMax
            {
                // Another transaction won the conflict, or held a row past the lock timeout (a
                // billing run's long transaction): run again, from the start, on what it wrote;
                // after `optimisticAttempts`, alone, waiting for the writers in flight to finish.
                // The pause doubles up to a quarter second (64 attempts: about 7 s in all, as
                // SQLite's busy timeout): under load, PostgreSQL summarizes old serializable
                // transactions and cancels new ones "on conflict out to old pivot" until those
                // that overlapped them end, which takes longer than a few quick retries.
                let capMicroseconds = UInt32(min(1 << min(attempt, 8), 250)) * 1000
                usleep(UInt32.random(in: 100...capMicroseconds))
            } catch let error as PSQLError {
                throw Self.map(error)
            }
        }
    }

    func simulate<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let session = joined { return try inSavepoint(session, rollback: true, body) }
        do {
            // Never waits for another writer's rows: `busy` at once (the caller reads instead).
            return try transaction(
                begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", settings: "SET LOCAL lock_timeout = '1ms'", commit: false,
                body)
        } catch let error as PSQLError {
            throw Self.isRetryable(error) ? LedgerError(.busy, "the database is busy; retry") : Self.map(error)
        }
    }

    func read<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        if let session = joined { return try body(StorageTransaction(db: session)) }
        do {
            return try transaction(
                begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", settings: nil, commit: true
            ) {
                tx in
                let changes = tx.changes
                let result = try body(tx)
                assert(tx.changes == changes, "a read wrote to the database")
                return result
            }
        } catch let error as PSQLError {
            throw Self.map(error)
        }
    }

    /// One transaction on a checked-out session; rolled back on any error, and when not `commit`.
    /// Rethrows the server's own error (`PSQLError`) unmapped, so `write` can tell a conflict.
    private func transaction<T>(
        begin: String, settings: String?, alone: Bool = false, commit: Bool, _ body: (StorageTransaction) throws -> T
    ) throws -> T {
        let session = try checkOut()
        defer { checkIn(session) }
        if alone {
            // Before BEGIN, so that the snapshot is taken once the writers in flight are done.
            try session.control("SELECT 1 FROM pg_advisory_lock(\(Self.writersLock))")
        }
        defer { if alone && !session.broken { try? session.control("SELECT pg_advisory_unlock(\(Self.writersLock))") } }
        try session.control(begin)
        do {
            if let settings { try session.control(settings) }
            let result = try body(StorageTransaction(db: session))
            if commit { try session.commit() } else { try session.control("ROLLBACK") }
            return result
        } catch {
            if !session.broken { try? session.control("ROLLBACK") }
            throw error
        }
    }

    private func inSavepoint<T>(_ session: PostgresSession, rollback: Bool, _ body: (StorageTransaction) throws -> T)
        throws -> T
    {
        try session.control("SAVEPOINT ledger_nested")
        do {
            let result = try body(StorageTransaction(db: session))
            try session.control(rollback ? "ROLLBACK TO SAVEPOINT ledger_nested" : "RELEASE SAVEPOINT ledger_nested")
            return result
        } catch {
            try? session.control("ROLLBACK TO SAVEPOINT ledger_nested")
            throw error
        }
    }

    // MARK: Migrations

    /// The PostgreSQL migrations, by identifier, in order.
    static let migrations: [(identifier: String, sql: String)] = EmbeddedSchema.postgresMigrations.map {
        (String($0.name.prefix { $0 != "." }), $0.sql)
    }

    /// Applies the pending migrations in one transaction under an advisory lock: concurrent
    /// openers wait for it, then find nothing pending.
    private func migrate() throws {
        do {
            _ = try transaction(begin: "BEGIN", settings: nil, commit: true) { tx in
                let db = tx.db as! PostgresSession
                _ = try db.run("SELECT pg_advisory_xact_lock(7100000000000000001)", [])
                if let schema = self.schema { try db.control("CREATE SCHEMA IF NOT EXISTS \(schema)") }
                try db.control("CREATE TABLE IF NOT EXISTS ledgerMigration (identifier text PRIMARY KEY)")
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM ledgerMigration"))
                let known = Set(Self.migrations.map(\.identifier))
                guard applied.isSubset(of: known) else {
                    throw LedgerError(
                        .schemaTooNew,
                        "the database has a newer schema than this ledger knows (latest known: \(Self.migrations.last?.identifier ?? "none")); upgrade the ledger"
                    )
                }
                for migration in Self.migrations where !applied.contains(migration.identifier) {
                    for statement in PostgresDialect.statements(migration.sql) { _ = try db.run(statement, []) }
                    _ = try db.run(
                        "INSERT INTO ledgerMigration (identifier) VALUES ($1)", [.text(migration.identifier)])
                }
            }
        } catch let error as PSQLError {
            throw Self.map(error)
        }
    }

    // MARK: Errors

    static func isRetryable(_ error: PSQLError) -> Bool {
        ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// lock_not_available: a row lock waited for longer than `lockTimeout`.
    static func isLockTimeout(_ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState] == "55P03"
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        return "\(error.code)"
    }

    static func map(_ error: PSQLError) -> LedgerError {
        guard let state = error.serverInfo?[.sqlState] else {
            return LedgerError(.storage, "the connection to the PostgreSQL server failed: \(error.code)")
        }
        let message = error.serverInfo?[.message] ?? state
        switch state {
        case "40001", "40P01", "55P03", "57014":
            return LedgerError(.busy, "the database is busy; retry")
        case _ where state.hasPrefix("23"):
            if message.hasPrefix("unbalanced_entry") { return LedgerError(.unbalancedEntry, message) }
            return LedgerError(.invalidRequest, "rejected by the database: \(message)")
        case "53100":
            return LedgerError(.storage, "the disk is full")
        case "25006":
            return LedgerError(.readOnly, "this process cannot write the database (read-only): \(message)")
        default:
            return LedgerError(.storage, "storage error: \(message) (\(state))")
        }
    }
}

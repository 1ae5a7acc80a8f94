import Foundation
@_exported import LedgerCore

/// The ledger: one SQLite file (or memory), one method per business operation, each one
/// transaction.
///
/// Safe to share between threads, and several processes may open the same file at once (WAL,
/// busy timeout). The clock is injected so histories can be built and replayed
/// deterministically; it returns Unix seconds.
///
/// ```swift
/// let ledger = try Ledger(path: "billing.sqlite")
/// let customer = try ledger.createCustomer(.init(name: "John Doe"))
/// ```
public final class Ledger: Sendable {
    let store: any Storage
    let clock: @Sendable () -> Int64
    /// Whether a time-dependent write may run at an instant earlier than one the file has already
    /// processed (it rewrites history; off unless asked for).
    let allowClockRegression: Bool

    /// Opens (creating owner-only and migrating if needed) the ledger at `path`. Any number of
    /// threads and processes may open the same new file at once.
    /// - Parameters:
    ///   - allowClockRegression: let writes run at an instant earlier than the latest the file
    ///     has processed (refused with `clock_regression` otherwise).
    ///   - readOnly: open a file this process may not write (never created nor migrated); every
    ///     write is then `read_only`.
    /// - Throws: `schema_too_new` for a file written by a newer version, `storage_error` for a
    ///   corrupt or unreadable file, `read_only` for a read-only file that needs migrating.
    public init(
        path: String, clock: @escaping @Sendable () -> Int64 = Ledger.systemClock, allowClockRegression: Bool = false,
        readOnly: Bool = false
    ) throws {
        store = try Store(path: path, readOnly: readOnly)
        self.clock = clock
        self.allowClockRegression = allowClockRegression
    }

    /// Opens (migrating if needed) the ledger in the PostgreSQL database at `postgres` (the
    /// server backend; see the README's "PostgreSQL"). Any number of processes may open it at once.
    /// - Parameter postgres: `postgres://user[:password]@host[:port]/database`.
    /// - Throws: `invalid_request` for another URL, `storage_error` when the server cannot be
    ///   reached, `schema_too_new` for a database written by a newer version.
    public init(
        postgres: URL, clock: @escaping @Sendable () -> Int64 = Ledger.systemClock, allowClockRegression: Bool = false
    ) throws {
        store = try PostgresStore(url: postgres)
        self.clock = clock
        self.allowClockRegression = allowClockRegression
    }

    /// Whether `database` names a PostgreSQL database (`postgres://…` or `postgresql://…`)
    /// rather than a file: what `--db` takes either way.
    public static func isPostgresURL(_ database: String) -> Bool {
        database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
    }

    /// A ledger over `store` (tests wrap a store to run its writes as a server backend may).
    init(store: any Storage, clock: @escaping @Sendable () -> Int64, allowClockRegression: Bool = false) {
        self.store = store
        self.clock = clock
        self.allowClockRegression = allowClockRegression
    }

    /// A ledger in memory, for tests and previews.
    public init(
        inMemoryWithClock clock: @escaping @Sendable () -> Int64 = Ledger.systemClock,
        allowClockRegression: Bool = false
    ) throws {
        store = try Store(path: nil)
        self.clock = clock
        self.allowClockRegression = allowClockRegression
    }

    /// The system clock in Unix seconds.
    public static let systemClock: @Sendable () -> Int64 = {
        Int64(time(nil))
    }

    /// The ledger's "now", in Unix seconds: the clock's reading, which every operation takes once.
    /// - Throws: `invalid_time` (param `now`) when the clock reads outside `Instant.range`
    ///   (before 1970 or after 9999): nothing is written at such an instant.
    public var now: Int64 {
        get throws { try Instant.check(clock(), param: "now") }
    }
}

extension Ledger {
    /// A new ID for `prefix`, or the caller's own after checking it.
    func newID<Entity>(_ supplied: Identifier<Entity>?, prefix: String) throws -> String {
        if let supplied {
            try IDs.validateCallerID(supplied.rawValue)
            return supplied.rawValue
        }
        return IDs.generate(prefix: prefix)
    }
}

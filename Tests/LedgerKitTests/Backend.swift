import Foundation
import GRDB

@testable import LedgerKit

/// Where the suites' ledgers live: SQLite (in memory, or a file when a test opens a ledger
/// again), or, when `LEDGER_TEST_POSTGRES` names a PostgreSQL database
/// (`postgres://user@host:port/database`), a new schema of it for each ledger. CI runs the suites
/// both ways; a test about the SQLite file itself (`path:`, GRDB) runs on SQLite only.
enum TestBackend {
    static let postgres = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// A new, empty ledger on the suites' backend.
    static func ledger(clock: @escaping @Sendable () -> Int64, allowClockRegression: Bool = false) throws -> Ledger {
        guard postgres != nil else {
            return try Ledger(inMemoryWithClock: clock, allowClockRegression: allowClockRegression)
        }
        return try Location().open(clock: clock, allowClockRegression: allowClockRegression)
    }

    /// A ledger that can be opened again, by more handles and at other clocks (as other
    /// processes open one): a file in a new temporary directory on SQLite, a new schema
    /// `t_<uuid>` on PostgreSQL. `cleanup()` removes the directory; a schema stays, as the ones
    /// of `ledger(clock:)` do, until the test database is dropped.
    struct Location {
        /// The ledger's PostgreSQL URL, its schema as `search_path`; nil on SQLite.
        let postgres: URL?
        /// The directory of the SQLite file, where a test may also put its input files.
        let dir: TempDir

        init() throws {
            dir = try TempDir()
            postgres = TestBackend.postgres.map {
                let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                return URL(string: "\($0)?search_path=\(schema)")!
            }
        }

        /// Opens the ledger (created at the first open).
        func open(clock: @escaping @Sendable () -> Int64 = Ledger.systemClock, allowClockRegression: Bool = false)
            throws -> Ledger
        {
            guard let postgres else {
                return try Ledger(
                    path: dir.path("ledger.sqlite"), clock: clock, allowClockRegression: allowClockRegression)
            }
            return try Ledger(postgres: postgres, clock: clock, allowClockRegression: allowClockRegression)
        }

        /// A file `name` in the location's directory (an import's input).
        func path(_ name: String) -> String { dir.path(name) }

        func cleanup() { dir.cleanup() }
    }
}

/// Raw SQL for tests, outside the business API, on whatever backend the ledger is: the SQLite
/// dialect of the library's own statements, rewritten for PostgreSQL as they are
/// (`PostgresDialect`), so a test can plant a row or read a table on both.
extension Ledger {
    var isPostgres: Bool { store is PostgresStore }

    /// Runs `statements` in one write transaction, each with `arguments`. Throws the ledger's
    /// own error (`LedgerError`) when the database refuses one; nothing is then written.
    func execute(_ statements: String..., arguments: SQLArguments = []) throws {
        try store.write { tx in
            for sql in statements { try tx.db.execute(sql: sql, arguments: arguments) }
        }
    }

    /// The rows of `sql`, each value as text: an integer's digits, the text, or `NULL`.
    func rows(_ sql: String, arguments: SQLArguments = []) throws -> [[String]] {
        try store.read { tx in
            if let sqlite = tx.db as? LedgerKit.SQLiteConnection {
                return try Row.fetchAll(sqlite.db, sql: sql, arguments: arguments.grdb).map {
                    $0.databaseValues.map(Self.text)
                }
            }
            return try SQLRow.fetchAll(tx.db, sql: sql, arguments: arguments).map { row in
                row.columnNames.indices.map { position in
                    if let int: Int64 = row[position] { return String(int) }
                    return row[position] ?? "NULL"
                }
            }
        }
    }

    /// The first column of `sql`'s rows.
    func column(_ sql: String, arguments: SQLArguments = []) throws -> [String] {
        try rows(sql, arguments: arguments).map { $0[0] }
    }

    static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64(let int): String(int)
        case .double(let double): "\(double)"
        case .string(let string): string
        case .blob(let data): data.base64EncodedString()
        }
    }

    /// A dump of the database's logical content (its tables, their rows, and on SQLite the
    /// schema's SQL), to prove "nothing written".
    func dump() throws -> String {
        let tables =
            isPostgres
            ? try column(
                """
                SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1
                """)
            : try column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var lines: [String] = []
        for table in tables {
            lines.append("table \(table)")
            lines += try rows("SELECT * FROM \"\(table)\" ORDER BY 1").map { $0.joined(separator: "|") }
        }
        if !isPostgres {
            lines += try column("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        }
        return lines.joined(separator: "\n")
    }
}

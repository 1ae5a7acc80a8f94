import Foundation

/// The database of the CLI suites that run on both backends: a file in the sandbox, or, when
/// `LEDGER_TEST_POSTGRES` names a PostgreSQL database (`postgres://user@host:port/database`), a
/// new schema of it (`?search_path=`), made by the ledger at its first open.
enum CLIBackend {
    static let postgres = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// A new, empty database for one test: `--db` takes it as it is.
    static func database(in sandbox: Sandbox, _ name: String = "ledger.sqlite") -> String {
        guard let postgres else { return sandbox.path(name) }
        return "\(postgres)?search_path=\(uniqueName("c"))"
    }

    /// `prefix_<32 hex digits>`: a new schema or database name.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Whether `db` is a PostgreSQL URL rather than a file.
    static func isPostgres(_ db: String) -> Bool {
        db.hasPrefix("postgres://") || db.hasPrefix("postgresql://")
    }
}

/// What a test compares to prove a request changed nothing: for a file, its bytes and its WAL's;
/// for a PostgreSQL schema, its rows (`pg_dump --data-only`), nil when the schema does not exist.
/// It prints as the first line that differs from another snapshot, not as the whole dump.
struct DatabaseSnapshot: Equatable, CustomStringConvertible {
    var main: Data?
    var wal: Data?
    var rows: String?

    init(_ db: String) {
        if CLIBackend.isPostgres(db) {
            rows = PostgresTools.rows(db)
        } else {
            main = FileManager.default.contents(atPath: db)
            wal = FileManager.default.contents(atPath: db + "-wal")
        }
    }

    /// Whether there is no database yet: no file, or no schema.
    var absent: Bool { main == nil && rows == nil }

    var description: String {
        if let rows { return "\(rows.count) characters of rows" }
        return "\(main?.count ?? 0) bytes and a WAL of \(wal?.count ?? 0)"
    }

    /// The first line of `other`'s rows that is not in these (or "" when none differs), to say
    /// what a request changed.
    func firstChange(to other: DatabaseSnapshot) -> String {
        let mine = Set((rows ?? "").split(separator: "\n"))
        return (other.rows ?? "").split(separator: "\n").first { !mine.contains($0) }.map(String.init) ?? ""
    }
}

/// Whether the ledger `db` exists: the file, or a schema with the ledger's tables.
func databaseExists(_ db: String) -> Bool {
    guard CLIBackend.isPostgres(db) else { return FileManager.default.fileExists(atPath: db) }
    return PostgresTools.rows(db) != nil
}

/// Whether a refused first request left nothing behind: no file (nor its journal, WAL or shared
/// memory) beside `db`; on PostgreSQL, no schema, or one as empty as a new ledger's (the ledger
/// makes its schema and tables when it opens, before it reads the request's input).
func leftNothing(_ db: String) -> Bool {
    guard CLIBackend.isPostgres(db) else {
        return ["", "-wal", "-shm", "-journal"].allSatisfy { !FileManager.default.fileExists(atPath: db + $0) }
    }
    guard let rows = PostgresTools.rows(db) else { return true }
    return PostgresTools.normalized(rows, of: db) == PostgresTools.emptyLedger
}

import GRDB
import GRDBSQLite

/// The SQLite backend's connection for one transaction: GRDB's `Database`, its statements
/// cached by SQL, and the hot write paths bound through SQLite's C API.
final class SQLiteConnection: SQLConnection {
    let db: Database

    init(_ db: Database) { self.db = db }

    var backend: SQLBackend { .sqlite }

    func cachedStatement(sql: String) throws -> any SQLStatement {
        GRDBStatement(try db.cachedStatement(sql: sql), in: db)
    }

    func makeStatement(sql: String) throws -> any SQLStatement {
        GRDBStatement(try db.makeStatement(sql: sql), in: db)
    }

    var changesCount: Int { db.changesCount }

    var totalChangesCount: Int { db.totalChangesCount }
}

/// One GRDB statement. Failures are GRDB's `DatabaseError`, which `Store.map` reads.
final class GRDBStatement: SQLStatement {
    private let statement: Statement
    private let db: Database

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.db = db
    }

    func execute(arguments: SQLArguments) throws {
        try statement.execute(arguments: arguments.grdb)
    }

    func cursor(arguments: SQLArguments) throws -> any SQLCursor {
        Cursor(rows: try Row.fetchCursor(statement, arguments: arguments.grdb))
    }

    private struct Cursor: SQLCursor {
        let rows: RowCursor

        func next() throws -> SQLRow? { try rows.next().map(SQLRow.init(sqlite:)) }
    }

    func run(_ bind: (any SQLBinder) -> Void) throws -> Bool {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        bind(Binder(handle: handle))
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    /// Binds straight into the prepared statement.
    private struct Binder: SQLBinder {
        let handle: SQLiteStatement

        func bind(_ index: Int32, _ value: Int64) {
            sqlite3_bind_int64(handle, index, value)
        }

        func bind(_ index: Int32, _ value: Int64?) {
            guard let value else {
                sqlite3_bind_null(handle, index)
                return
            }
            bind(index, value)
        }

        /// Text with its length (never cut at a NUL).
        func bind(_ index: Int32, _ value: String?) {
            guard var text = value else {
                sqlite3_bind_null(handle, index)
                return
            }
            text.withUTF8 { bytes in
                // SQLite reads a null pointer as NULL: the empty text gets a real one.
                withUnsafePointer(to: 0 as CChar) { empty in
                    let start = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                    _ = sqlite3_bind_text(handle, index, start ?? empty, Int32(bytes.count), transient)
                }
            }
        }
    }
}

/// SQLite copies the bound bytes before `sqlite3_bind_text` returns.
private nonisolated(unsafe) let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

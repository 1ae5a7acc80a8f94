import GRDB
import GRDBSQLite

/// A prepared statement run through SQLite's C API, for the hot write path: values are bound
/// straight into it, with no argument array built per row, and it is stepped once. Failures
/// are GRDB's `DatabaseError`, so `Store.map` reads them as it reads any other.
struct RawStatement {
    private let statement: Statement
    private let db: Database

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.db = db
    }

    /// Binds the parameters through `bind` and runs the statement.
    /// - Returns: whether it changed a row.
    /// - Throws: `DatabaseError` when SQLite refuses it (a constraint, a full disk).
    func run(_ bind: (Binder) -> Void) throws -> Bool {
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

    /// Binds values to the statement's parameters, numbered from 1.
    struct Binder {
        let handle: SQLiteStatement

        func bind(_ index: Int32, _ value: Int64) {
            sqlite3_bind_int64(handle, index, value)
        }

        /// nil binds NULL.
        func bind(_ index: Int32, _ value: Int64?) {
            guard let value else {
                sqlite3_bind_null(handle, index)
                return
            }
            bind(index, value)
        }

        /// Text with its length (never cut at a NUL); nil binds NULL.
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

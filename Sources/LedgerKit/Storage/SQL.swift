import GRDB

/// The SQL the storage methods speak, whatever the backend: values, arguments, rows, statements
/// and the connection of one transaction. The `Database+<Area>.swift` methods use these only, so
/// the same statements run on SQLite (`SQLiteConnection`, through GRDB) and on PostgreSQL
/// (`PostgresConnection`). A decodable value is also GRDB's, so an SQLite row is read in place.
enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case text(String)
}

/// A Swift value bound to a statement's parameter.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLBindable {
    var sqlValue: SQLValue { .integer(self) }
}

extension Int: SQLBindable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int32: SQLBindable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
}

/// Booleans are stored as 0 and 1 on both backends.
extension Bool: SQLBindable {
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension String: SQLBindable {
    var sqlValue: SQLValue { .text(self) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// The values bound to a statement's `?` parameters, in order.
struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    var values: [SQLValue]

    init(values: [SQLValue] = []) { self.values = values }

    init(arrayLiteral elements: (any SQLBindable)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    init(_ elements: [(any SQLBindable)?]) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    init<S: Sequence>(_ elements: S) where S.Element: SQLBindable {
        values = elements.map(\.sqlValue)
    }

    static func += (lhs: inout SQLArguments, rhs: SQLArguments) { lhs.values += rhs.values }

    static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments { .init(values: lhs.values + rhs.values) }

    /// GRDB's form, for the SQLite backend.
    var grdb: StatementArguments {
        StatementArguments(
            values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let int): int.databaseValue
                case .text(let text): text.databaseValue
                }
            })
    }
}

/// A Swift value read from a column. nil when the value is NULL or of another kind.
protocol SQLDecodable: DatabaseValueConvertible {
    static func decode(_ value: SQLValue) -> Self?
}

extension Int64: SQLDecodable {
    static func decode(_ value: SQLValue) -> Int64? {
        if case .integer(let int) = value { return int }
        return nil
    }
}

extension Int: SQLDecodable {
    static func decode(_ value: SQLValue) -> Int? {
        if case .integer(let int) = value { return Int(exactly: int) }
        return nil
    }
}

extension Int32: SQLDecodable {
    static func decode(_ value: SQLValue) -> Int32? {
        if case .integer(let int) = value { return Int32(exactly: int) }
        return nil
    }
}

extension Bool: SQLDecodable {
    static func decode(_ value: SQLValue) -> Bool? {
        if case .integer(let int) = value { return int != 0 }
        return nil
    }
}

extension String: SQLDecodable {
    static func decode(_ value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }
}

/// The column names of a result, found once per statement.
final class SQLColumns: Sendable {
    let names: [String]
    private let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() where positions[name.lowercased()] == nil {
            positions[name.lowercased()] = position
        }
        self.positions = positions
    }

    func position(_ name: String) -> Int? { positions[name.lowercased()] }
}

/// One result row. An SQLite row is GRDB's, read in place; a PostgreSQL row holds its values.
/// As with GRDB, reading NULL (or a missing column) into a non-optional is a programming error.
struct SQLRow {
    fileprivate enum Storage {
        case sqlite(Row)
        case values(SQLColumns, [SQLValue])
    }

    fileprivate let storage: Storage

    init(sqlite row: Row) { storage = .sqlite(row) }

    init(columns: SQLColumns, values: [SQLValue]) { storage = .values(columns, values) }

    var columnNames: [String] {
        switch storage {
        case .sqlite(let row): Array(row.columnNames)
        case .values(let columns, _): columns.names
        }
    }

    subscript<T: SQLDecodable>(_ column: String) -> T? {
        switch storage {
        case .sqlite(let row): return row[column]
        case .values(let columns, let values):
            guard let position = columns.position(column) else { return nil }
            return T.decode(values[position])
        }
    }

    subscript<T: SQLDecodable>(_ column: String) -> T {
        switch storage {
        case .sqlite(let row): return row[column]
        case .values(let columns, let values):
            guard let position = columns.position(column), let value = T.decode(values[position]) else {
                preconditionFailure("column \(column) is missing, NULL or not a \(T.self)")
            }
            return value
        }
    }

    subscript<T: SQLDecodable>(_ position: Int) -> T? {
        switch storage {
        case .sqlite(let row): return row[position]
        case .values(_, let values): return T.decode(values[position])
        }
    }

    subscript<T: SQLDecodable>(_ position: Int) -> T {
        switch storage {
        case .sqlite(let row): return row[position]
        case .values(_, let values):
            guard let value = T.decode(values[position]) else {
                preconditionFailure("column \(position) is NULL or not a \(T.self)")
            }
            return value
        }
    }
}

/// The rows of a statement, one at a time.
protocol SQLCursor {
    func next() throws -> SQLRow?
}

/// A statement of one connection, with `?` parameters.
protocol SQLStatement: AnyObject {
    /// Runs it for its effects.
    func execute(arguments: SQLArguments) throws
    /// Runs it and returns its rows as a cursor, valid until the statement runs again.
    func cursor(arguments: SQLArguments) throws -> any SQLCursor
    /// Binds the parameters through `bind` and runs it once (the hot write paths: no argument
    /// array). Returns whether it changed a row.
    func run(_ bind: (SQLBinder) -> Void) throws -> Bool
}

extension SQLStatement {
    func execute() throws { try execute(arguments: []) }
}

/// Binds values to a statement's parameters, numbered from 1.
protocol SQLBinder {
    func bind(_ index: Int32, _ value: Int64)
    /// nil binds NULL.
    func bind(_ index: Int32, _ value: Int64?)
    /// nil binds NULL.
    func bind(_ index: Int32, _ value: String?)
}

/// Which server a connection speaks to: the few statements that are one backend's own (SQLite's
/// pragmas) ask it.
enum SQLBackend {
    case sqlite, postgres
}

/// The connection of one transaction.
protocol SQLConnection: AnyObject {
    var backend: SQLBackend { get }
    /// A statement kept for the life of the connection (found again by its SQL).
    func cachedStatement(sql: String) throws -> any SQLStatement
    /// A statement made for one use.
    func makeStatement(sql: String) throws -> any SQLStatement
    /// Rows changed by the last statement.
    var changesCount: Int { get }
    /// Rows changed by this connection so far.
    var totalChangesCount: Int { get }
}

extension SQLConnection {
    func execute(sql: String, arguments: SQLArguments = []) throws {
        try makeStatement(sql: sql).execute(arguments: arguments)
    }
}

extension SQLRow {
    static func fetchCursor(_ statement: any SQLStatement, arguments: SQLArguments = []) throws -> any SQLCursor {
        try statement.cursor(arguments: arguments)
    }

    static func fetchCursor(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws
        -> any SQLCursor
    {
        try db.makeStatement(sql: sql).cursor(arguments: arguments)
    }

    static func fetchAll(_ statement: any SQLStatement, arguments: SQLArguments = []) throws -> [SQLRow] {
        let cursor = try statement.cursor(arguments: arguments)
        var rows: [SQLRow] = []
        while let row = try cursor.next() { rows.append(row.detached) }
        return rows
    }

    static func fetchAll(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try fetchAll(db.makeStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(_ statement: any SQLStatement, arguments: SQLArguments = []) throws -> SQLRow? {
        try statement.cursor(arguments: arguments).next()?.detached
    }

    static func fetchOne(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try fetchOne(db.makeStatement(sql: sql), arguments: arguments)
    }

    /// A row that stays valid after its cursor moves on (GRDB reuses a cursor's row).
    var detached: SQLRow {
        switch storage {
        case .sqlite(let row): SQLRow(sqlite: row.copy())
        case .values: self
        }
    }
}

extension SQLDecodable {
    static func fetchOne(_ statement: any SQLStatement, arguments: SQLArguments = []) throws -> Self? {
        try statement.cursor(arguments: arguments).next()?[0]
    }

    static func fetchOne(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try fetchOne(db.makeStatement(sql: sql), arguments: arguments)
    }

    /// NULLs are skipped.
    static func fetchAll(_ statement: any SQLStatement, arguments: SQLArguments = []) throws -> [Self] {
        let cursor = try statement.cursor(arguments: arguments)
        var values: [Self] = []
        while let row = try cursor.next() {
            if let value: Self = row[0] { values.append(value) }
        }
        return values
    }

    static func fetchAll(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try fetchAll(db.makeStatement(sql: sql), arguments: arguments)
    }
}

/// Failures the storage methods tell apart, whatever the backend.
enum SQLFailure: Error {
    /// An integer result does not fit 64 bits (SQLite's `sum` overflow; PostgreSQL's `numeric`
    /// sum read back).
    case integerOverflow

    static func isIntegerOverflow(_ error: any Error) -> Bool {
        if case .integerOverflow? = error as? SQLFailure { return true }
        if let error = error as? DatabaseError { return error.message == "integer overflow" }
        return false
    }
}

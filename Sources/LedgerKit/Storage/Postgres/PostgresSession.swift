import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The PostgreSQL backend's connection: one server connection, used by one transaction at a
/// time. The storage methods' SQL is SQLite's dialect with `?` parameters; `PostgresDialect`
/// rewrites it once per statement text. Every parameter is sent as text of no declared type, so
/// the server infers each one from where it stands, as SQLite takes any value anywhere.
final class PostgresSession: SQLConnection {
    let connection: PostgresConnection
    private let logger: Logger
    private(set) var changesCount = 0
    private(set) var totalChangesCount = 0
    /// Set when the connection failed (not a statement): it is closed, never reused.
    private(set) var broken = false

    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var backend: SQLBackend { .postgres }

    func cachedStatement(sql: String) throws -> any SQLStatement {
        PostgresStatement(session: self, sql: PostgresDialect.translate(sql))
    }

    func makeStatement(sql: String) throws -> any SQLStatement {
        PostgresStatement(session: self, sql: PostgresDialect.translate(sql))
    }

    /// Runs `sql` (already in PostgreSQL's dialect) with `values` and returns its rows.
    func run(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let int): binds.append(UntypedText(String(int)), context: .default)
            case .text(let text): binds.append(UntypedText(text), context: .default)
            }
        }
        let result: PostgresQueryResult
        do {
            result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
        } catch let error as PSQLError where error.serverInfo == nil {
            broken = true
            throw error
        } catch {
            if ProcessInfo.processInfo.environment["LEDGER_TRACE_SQL"] != nil {
                FileHandle.standardError.write(Data("failed: \(sql)\n".utf8))
            }
            throw error
        }
        lastCommand = result.metadata.command
        switch result.metadata.command {
        case "INSERT", "UPDATE", "DELETE":
            changesCount = result.metadata.rows ?? 0
            totalChangesCount += changesCount
        default:
            changesCount = 0
        }
        guard let first = result.rows.first else { return [] }
        let columns = SQLColumns(first.map(\.columnName))
        return try result.rows.map { row in
            SQLRow(columns: columns, values: try row.map(Self.value))
        }
    }

    /// Runs a statement of transaction control (BEGIN, COMMIT, SAVEPOINT…).
    func control(_ sql: String) throws {
        _ = try run(sql, [])
    }

    /// The command tag of the last statement (`COMMIT`, `ROLLBACK`, `INSERT`…).
    private(set) var lastCommand = ""

    /// Commits, and fails when the server rolled back instead: it answers COMMIT with ROLLBACK,
    /// without an error, for a transaction an earlier statement's error aborted.
    func commit() throws {
        try control("COMMIT")
        guard lastCommand == "COMMIT" else {
            throw LedgerError(
                .storage, "the server rolled the transaction back (\(lastCommand)) instead of committing it")
        }
    }

    /// A cell as the storage methods read it: integers (and booleans, as 0 and 1), text, NULL.
    /// A `numeric` (PostgreSQL's sum of integers) is an integer when it is whole, and fails like
    /// SQLite's sum when it does not fit 64 bits.
    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2:
            return .integer(try cell.decode(Int64.self))
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .numeric:
            let text = "\(try cell.decode(Decimal.self))"
            if let int = Int64(text) { return .integer(int) }
            if text.allSatisfy({ $0.isNumber || $0 == "-" }) { throw SQLFailure.integerOverflow }
            return .text(text)
        default:
            return .text(try cell.decode(String.self))
        }
    }
}

/// A parameter of no declared type, in text form: the server infers its type from the statement.
private struct UntypedText: PostgresNonThrowingEncodable {
    let text: String

    init(_ text: String) { self.text = text }

    static var psqlType: PostgresDataType { .null }
    static var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeString(text)
    }
}

/// A statement of a session. Its rows are read whole (the server sends them all anyway).
final class PostgresStatement: SQLStatement {
    private let session: PostgresSession
    private let sql: String

    init(session: PostgresSession, sql: String) {
        self.session = session
        self.sql = sql
    }

    func execute(arguments: SQLArguments) throws {
        _ = try session.run(sql, arguments.values)
    }

    func cursor(arguments: SQLArguments) throws -> any SQLCursor {
        Cursor(rows: try session.run(sql, arguments.values))
    }

    private final class Cursor: SQLCursor {
        private var rows: IndexingIterator<[SQLRow]>

        init(rows: [SQLRow]) { self.rows = rows.makeIterator() }

        func next() throws -> SQLRow? { rows.next() }
    }

    func run(_ bind: (any SQLBinder) -> Void) throws -> Bool {
        let binder = Binder()
        bind(binder)
        _ = try session.run(sql, binder.values)
        return session.changesCount > 0
    }

    private final class Binder: SQLBinder {
        var values: [SQLValue] = []

        private func set(_ index: Int32, _ value: SQLValue) {
            let position = Int(index) - 1
            if values.count <= position { values += Array(repeating: .null, count: position + 1 - values.count) }
            values[position] = value
        }

        func bind(_ index: Int32, _ value: Int64) { set(index, .integer(value)) }

        func bind(_ index: Int32, _ value: Int64?) { set(index, value.map(SQLValue.integer) ?? .null) }

        func bind(_ index: Int32, _ value: String?) { set(index, value.map(SQLValue.text) ?? .null) }
    }
}

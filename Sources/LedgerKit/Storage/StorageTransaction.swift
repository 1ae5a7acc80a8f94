/// One storage transaction: the only way business operations reach the file.
///
/// Every SQL statement of the ledger is a method of this type, in the `Database+<Area>.swift`
/// files beside it, so the business operations (`Ledger+<Area>.swift`) read values, call the
/// pure rules of LedgerCore, and write values, and never see SQL or GRDB. This is the seam a
/// second backend (PostgreSQL) implements: the same methods, with the guarantees the README's
/// "Storage" section lists (one transaction per operation, the write lock taken at its start,
/// ordering by the stated keys).
struct StorageTransaction {
    let db: any SQLConnection
}

/// Thrown inside a transaction to roll it back without an error (an atomic import that had
/// rejections); `Store.write` rethrows it to the caller, who catches it.
struct RollbackSignal: Error {}

extension StorageTransaction {
    /// Rows written by this connection so far (inserted, updated or deleted; SQLite's count).
    var changes: Int { db.totalChangesCount }
}

/// A value read from a row that the rules cannot have written (an unknown status, a decimal
/// that does not parse, a missing singleton row) means the file was changed outside the ledger:
/// it is a `storage_error` naming what is wrong, never a crash and never a silent default.
func stored<T>(_ value: T?, _ what: String) throws -> T {
    guard let value else {
        throw LedgerError(.storage, "the database file holds an invalid \(what); was it changed outside the ledger?")
    }
    return value
}

/// A column an export reads, named once and found once: `StoredRow.bind` records its position
/// on a cursor's first row, and every row after is read by that position, not by name (a look-up
/// by name per cell was a tenth of an export's time). One field belongs to one export.
final class StoredField {
    let name: String
    fileprivate var position = -1

    init(_ name: String) { self.name = name }
}

/// One row of an export, read through bound fields while a storage cursor stands on it (valid
/// only inside the callback it is passed to): what Reports/Export formats, with no GRDB in sight.
struct StoredRow {
    fileprivate let row: SQLRow

    /// Finds each field's column in this row's statement (the same for every row of a cursor).
    /// A field the statement lacks is a programming error, caught here rather than printed as
    /// an empty column.
    func bind(_ fields: [StoredField]) throws {
        let names = Array(row.columnNames.map { $0.lowercased() })
        for field in fields {
            guard let position = names.firstIndex(of: field.name.lowercased()) else {
                throw LedgerError(.storage, "the export reads a column '\(field.name)' that its query lacks")
            }
            field.position = position
        }
    }

    func text(_ field: StoredField) -> String? {
        precondition(field.position >= 0, "field \(field.name) read before bind")
        return row[field.position]
    }

    func int(_ field: StoredField) -> Int64? {
        precondition(field.position >= 0, "field \(field.name) read before bind")
        return row[field.position]
    }
}

extension StorageTransaction {
    /// Runs `sql` as a cursor and calls `body` with each row: bounded memory however many rows.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (StoredRow) throws -> Void) throws {
        let rows = try SQLRow.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { try body(StoredRow(row: row)) }
    }
}

/// What an export reads: the instants `[from, to)` and one customer, when given.
struct ExportRange {
    var from: Int64
    var to: Int64
    var customer: String?

    /// `from, to, customer, customer == nil`: the arguments of `? <= t AND t < ? AND (c IS ? OR ?)`.
    var arguments: SQLArguments { [from, to, customer, customer == nil] }
}

/// A backend: where the ledger's transactions run (`Store` on an SQLite file, `PostgresStore` on
/// a PostgreSQL database). Each business operation is one call of `write` (all of it or none),
/// `read` (one consistent snapshot) or `simulate` (written, read back, never stored).
protocol Storage: Sendable {
    func write<T>(_ body: (StorageTransaction) throws -> T) throws -> T
    func simulate<T>(_ body: (StorageTransaction) throws -> T) throws -> T
    func read<T>(_ body: (StorageTransaction) throws -> T) throws -> T
    /// Runs `body` with every operation it calls joining `tx`'s transaction.
    func joining<T>(_ tx: StorageTransaction, _ body: () throws -> T) rethrows -> T
}

import GRDB

/// One storage transaction: the only way business operations reach the file.
///
/// Every SQL statement of the ledger is a method of this type, in the `Database+<Area>.swift`
/// files beside it, so the business operations (`Ledger+<Area>.swift`) read values, call the
/// pure rules of LedgerCore, and write values, and never see SQL or GRDB. This is the seam a
/// second backend (PostgreSQL) implements: the same methods, with the guarantees the README's
/// "Storage" section lists (one transaction per operation, the write lock taken at its start,
/// ordering by the stated keys).
struct StorageTransaction {
    let db: Database
}

/// Thrown inside a transaction to roll it back without an error (an atomic import that had
/// rejections); `Store.write` rethrows it to the caller, who catches it.
struct RollbackSignal: Error {}

extension StorageTransaction {
    /// Runs `body` in a savepoint: when it throws, what it wrote is undone and the error goes on,
    /// while the enclosing transaction stays open (the billing run isolates each step so).
    func inSavepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }
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

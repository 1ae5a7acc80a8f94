/// Idempotency keys: the first result of a request, stored in the request's own transaction.
extension StorageTransaction {
    /// The request and its encoded result stored under `key`, if any.
    func idempotentRecord(key: String) throws -> (request: String, result: String)? {
        try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT request, result FROM idempotencyRecord WHERE key = ?"), arguments: [key]
        ).map { row in (row["request"], row["result"]) }
    }

    func storeIdempotent(key: String, request: String, result: String, at now: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO idempotencyRecord (key, request, result, created) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [key, request, result, now])
    }
}

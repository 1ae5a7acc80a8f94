import GRDB

/// Idempotency keys: the first response of a request, stored in its own transaction.
extension StorageTransaction {
    /// The request and response stored under `key`, if any.
    func idempotentRequest(key: String) throws -> (request: String, response: IdempotentResponse)? {
        try Row.fetchOne(
            db, sql: "SELECT request, responseJSON, responseText, status FROM idempotencyKey WHERE key = ?",
            arguments: [key]
        ).map { row in
            (
                row["request"],
                IdempotentResponse(json: row["responseJSON"], text: row["responseText"], status: row["status"])
            )
        }
    }

    func storeIdempotent(key: String, request: String, response: IdempotentResponse, at now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO idempotencyKey (key, request, responseJSON, responseText, status, created)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [key, request, response.json, response.text, response.status, now])
    }
}

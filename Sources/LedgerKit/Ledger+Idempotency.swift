import Foundation

extension Ledger {
    /// Runs `body` once per idempotency key, in one transaction with the key's record: a repeat
    /// with the same key and `request` returns the first result (decoded from what was stored)
    /// and writes nothing; with a different request it is refused. Every operation `body` calls
    /// joins the transaction, so a failure anywhere writes nothing and remembers nothing.
    ///
    /// The result is whatever the caller's operation returns (a customer, an invoice, a caller's
    /// own response value), stored as JSON; the library never renders it.
    /// - Throws: `idempotency_key_reused`, `invalid_text` (NUL in the key), `invalid_request` (key
    ///   length), `storage_error` (a stored result that no longer decodes as `Result`), or what `body` throws.
    public func idempotent<Result: Codable>(key: String, request: String, _ body: () throws -> Result) throws
        -> (result: Result, replayed: Bool)
    {
        try Text.checkCharacters(key, param: "idempotency_key")
        if key.isEmpty || key.utf8.count > 255 {
            throw LedgerError.invalidRequest("an idempotency key has 1–255 characters", param: "idempotency_key")
        }
        let now = try self.now
        return try store.write { tx in
            if let stored = try tx.idempotentRecord(key: key) {
                guard stored.request == request else {
                    throw LedgerError(
                        .idempotencyKeyReused,
                        "idempotency key '\(key)' was used for another request: \(stored.request)",
                        param: "idempotency_key")
                }
                do {
                    return (try JSONDecoder().decode(Result.self, from: Data(stored.result.utf8)), true)
                } catch {
                    throw LedgerError(
                        .storage, "the stored result of idempotency key '\(key)' does not decode: \(error)")
                }
            }
            let result = try store.joining(tx) { try body() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try tx.storeIdempotent(
                key: key, request: request, result: String(decoding: try encoder.encode(result), as: UTF8.self),
                at: now)
            return (result, false)
        }
    }
}

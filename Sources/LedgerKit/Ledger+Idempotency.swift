/// The stored response of an idempotent request.
public struct IdempotentResponse: Hashable, Sendable {
    public var json: String
    public var text: String
    public var status: Int32

    public init(json: String, text: String, status: Int32) {
        self.json = json
        self.text = text
        self.status = status
    }
}

extension Ledger {
    /// Runs `body` once per idempotency key, in one transaction with the key's record: a repeat
    /// with the same key and `request` returns the first response and writes nothing; with a
    /// different request it is refused. Every operation `body` calls joins the transaction, so
    /// a failure anywhere writes nothing and remembers nothing.
    /// - Throws: `idempotency_key_reused`, `invalid_request` (key length), or what `body` throws.
    public func idempotent(key: String, request: String, _ body: () throws -> IdempotentResponse) throws
        -> (response: IdempotentResponse, replayed: Bool)
    {
        if key.isEmpty || key.utf8.count > 255 {
            throw LedgerError.invalidRequest("an idempotency key has 1–255 characters", param: "idempotency_key")
        }
        let now = self.now
        return try store.write { tx in
            if let stored = try tx.idempotentRequest(key: key) {
                guard stored.request == request else {
                    throw LedgerError(
                        .idempotencyKeyReused,
                        "idempotency key '\(key)' was used for another request: \(stored.request)",
                        param: "idempotency_key")
                }
                return (stored.response, true)
            }
            let response = try store.joining(tx) { try body() }
            try tx.storeIdempotent(key: key, request: request, response: response, at: now)
            return (response, false)
        }
    }
}

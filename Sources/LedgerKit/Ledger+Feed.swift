extension Ledger {
    /// The feed's events after `cursor` (an event ID; nil: from the first), oldest first, at most
    /// `limit` (1 to 100), only of `kinds` when given. A host app keeps the ID of the last event
    /// it handled and asks for what follows: every committed change is there, once, in the order
    /// it was committed; nothing is lost while the app is away.
    /// - Throws: `resource_missing` (param `after`) for an unknown cursor; `invalid_request`
    ///   (param `limit`) outside 1...100.
    public func feed(after cursor: FeedEvent.ID? = nil, kinds: [FeedEvent.Kind]? = nil, limit: Int = 100) throws
        -> [FeedEvent]
    {
        guard (1...Limits.feedPageMax).contains(limit) else {
            throw LedgerError.invalidRequest(
                "limit must be 1 to \(Limits.feedPageMax), not \(limit)", param: "limit")
        }
        return try store.read { tx in
            let after = try cursor.map { try tx.feedSequence($0) } ?? 0
            return try tx.feed(after: after, kinds: kinds, limit: limit)
        }
    }
}

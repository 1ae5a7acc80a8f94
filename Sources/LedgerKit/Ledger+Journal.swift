/// The balance of one account in one currency.
public struct AccountBalance: Hashable, Sendable {
    public var account: Account
    public var currency: Currency
    public var amountMinor: Int64
}

extension Ledger {
    /// Posts a balanced entry (a manual adjustment; business operations post their own).
    /// - Throws: `unbalanced_entry` (also proved again by SQL), `resource_already_exists`,
    ///   `invalid_time` (posted outside `Instant.range`).
    public func post(_ entry: JournalEntry) throws {
        try Instant.check(entry.postedAt, param: "posted_at")
        try store.write { tx in try tx.post(entry) }
    }

    /// The balance of `account` and every account below it, per currency, counting entries
    /// posted at or before `asOf` (default: now; an entry dated later is not yet).
    /// - Throws: `invalid_time` (`asOf` or now outside `Instant.range`).
    public func balance(of account: Account, asOf: Int64? = nil) throws -> [Currency: Int64] {
        let asOf = try Instant.check(asOf ?? now, param: asOf == nil ? "now" : "as_of")
        return try store.read { tx in try tx.balance(of: account, asOf: asOf) }
    }

    /// Every account's balance per currency as of `asOf` (default: now), sorted by account (zero
    /// balances left out).
    /// - Throws: `invalid_time` (`asOf` or now outside `Instant.range`).
    public func accountBalances(asOf: Int64? = nil) throws -> [AccountBalance] {
        let asOf = try Instant.check(asOf ?? now, param: asOf == nil ? "now" : "as_of")
        return try store.read { tx in try tx.accountBalances(asOf: asOf) }
    }

    /// Journal entries in posting order, optionally within `[from, to)`.
    /// - Throws: `invalid_time` (a bound outside `Instant.range`).
    public func journalEntries(from: Int64? = nil, to: Int64? = nil) throws -> [JournalEntry] {
        if let from { try Instant.check(from, param: "from") }
        if let to { try Instant.check(to, param: "to") }
        return try store.read { tx in try tx.journalEntries(from: from ?? .min, to: to ?? .max) }
    }

    /// The trial balance: the sum of all postings per currency, which is always zero.
    public func trialBalance() throws -> [Currency: Int64] {
        try store.read { tx in try tx.trialBalance() }
    }
}

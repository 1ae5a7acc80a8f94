/// The balance of one account in one currency.
public struct AccountBalance: Hashable, Sendable {
    public var account: Account
    public var currency: Currency
    public var amountMinor: Int64
}

extension Ledger {
    /// Posts a balanced entry (a manual adjustment; business operations post their own), as
    /// `customer`'s movement when given (it is then stored with that customer's rows, on the
    /// customer's shard of a distributed database), else as the ledger's own.
    /// - Throws: `unbalanced_entry` (also proved again by SQL), `resource_already_exists`,
    ///   `invalid_time` (posted outside `Instant.range`), `resource_missing` (the customer).
    public func post(_ entry: JournalEntry, customer: Customer.ID? = nil) throws {
        try Instant.check(entry.postedAt, param: "posted_at")
        try store.write { tx in
            if let customer { _ = try tx.customerSeq(customer) }
            try tx.post(entry, customer: customer)
        }
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

    /// Writes the journal within `[from, to)` as plain-text accounting (`PlainTextJournal`),
    /// piece by piece to `write`: the declarations first, then one transaction per entry in
    /// posting order. One read transaction, so the file is one consistent state however long
    /// `write` takes, and one entry in memory at a time.
    ///
    /// hledger's and Beancount's balances of the file are `accountBalances(asOf: to - 1)` (`to` is
    /// excluded; without it, every entry). With `from`, the file starts with one "opening
    /// balances" transaction dated `from` holding every account's balance before it
    /// (`PlainTextJournal.opening`), so its balances are the ledger's at any day from then on.
    /// - Throws: `invalid_time` (a bound outside `Instant.range`), or what `write` throws.
    public func writeJournal(
        _ format: PlainTextFormat, from: Int64? = nil, to: Int64? = nil, _ write: (String) throws -> Void
    ) throws {
        if let from { try Instant.check(from, param: "from") }
        if let to { try Instant.check(to, param: "to") }
        try store.read { tx in
            let (from, to) = (from ?? .min, to ?? .max)
            let opening =
                from == .min
                ? []
                : try tx.accountBalances(asOf: from - 1).map {
                    Posting(account: $0.account, amountMinor: $0.amountMinor, currency: $0.currency)
                }
            var uses = try tx.journalFirstUses(from: from, to: to)
            uses.accounts += opening.map { PlainTextJournal.FirstUse($0.account, postedAt: from) }
            uses.currencies += opening.map { PlainTextJournal.FirstUse($0.currency, postedAt: from) }
            try write(
                PlainTextJournal.header(
                    format, accounts: PlainTextJournal.earliest(uses.accounts),
                    currencies: PlainTextJournal.earliest(uses.currencies)))
            let balances = PlainTextJournal.opening(opening, at: from, format)
            if !balances.isEmpty { try write(balances) }
            try tx.forEachJournalEntry(from: from, to: to) { entry in
                try write(PlainTextJournal.entry(entry, format))
            }
        }
    }

    /// The trial balance: the sum of all postings per currency, which is always zero.
    public func trialBalance() throws -> [Currency: Int64] {
        try store.read { tx in try tx.trialBalance() }
    }
}

/// One line of a journal entry: an amount in minor units on one account.
///
/// Sign convention (hledger's): a debit is positive, a credit negative. Assets and expenses
/// carry positive balances; liabilities, equity and revenue negative ones.
public struct Posting: Hashable, Sendable {
    public var account: Account
    public var amountMinor: Int64
    public var currency: Currency

    public init(account: Account, amountMinor: Int64, currency: Currency) {
        self.account = account
        self.amountMinor = amountMinor
        self.currency = currency
    }
}

/// A balanced, append-only record of one movement of money or credit.
///
/// Invariant: at least two postings, and per currency the postings sum to zero. The only way to
/// build one is `JournalEntry.balanced(...)`, which checks it; storage checks it again in SQL.
public struct JournalEntry: Hashable, Sendable {
    public typealias ID = Identifier<JournalEntry>
    public static let idPrefix = "je"

    public let id: ID
    /// Unix seconds: the instant the movement takes effect.
    public let postedAt: Int64
    public let description: String
    /// The object that caused it (`invoice`, `credit_grant`, …) and its ID.
    public let sourceType: String
    public let sourceId: String
    public let postings: [Posting]

    private init(
        id: ID, postedAt: Int64, description: String, sourceType: String, sourceId: String,
        postings: [Posting]
    ) {
        self.id = id
        self.postedAt = postedAt
        self.description = description
        self.sourceType = sourceType
        self.sourceId = sourceId
        self.postings = postings
    }

    /// Builds an entry after checking that it balances.
    /// - Throws: `unbalanced_entry` when there are fewer than two postings or a currency's
    ///   postings do not sum to zero; `amount_overflow` when a sum does not fit 64 bits.
    public static func balanced(
        id: ID = ID(IDs.generate(prefix: idPrefix)), postedAt: Int64, description: String,
        sourceType: String, sourceId: String, postings: [Posting]
    ) throws -> JournalEntry {
        try checkBalanced(postings)
        return JournalEntry(
            id: id, postedAt: postedAt, description: description, sourceType: sourceType,
            sourceId: sourceId, postings: postings)
    }

    /// - Throws: `unbalanced_entry` or `amount_overflow`.
    public static func checkBalanced(_ postings: [Posting]) throws {
        guard postings.count >= 2 else {
            throw LedgerError(
                .unbalancedEntry, "a journal entry needs at least two postings, got \(postings.count)")
        }
        var sums: [Currency: Int64] = [:]
        for posting in postings {
            let (sum, overflow) = (sums[posting.currency] ?? 0).addingReportingOverflow(
                posting.amountMinor)
            if overflow { throw LedgerError.amountOverflow("journal entry postings do not fit 64 bits") }
            sums[posting.currency] = sum
        }
        for (currency, sum) in sums.sorted(by: { $0.key < $1.key }) where sum != 0 {
            throw LedgerError(
                .unbalancedEntry, "postings in \(currency) sum to \(sum), not 0")
        }
    }
}
